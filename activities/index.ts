/**
 * The work-order activities: everything the workflow does outside itself. Built by
 * {@link createActivities} from their dependencies so tests pass a test database, a fake
 * `fetch`, a fixed clock.
 *
 * Every activity is idempotent (safe to retry after a crash or a timeout): rows carry keys
 * chosen by the workflow (event seq, notification key, supervision id) and are inserted with
 * `ON CONFLICT DO NOTHING`; the work-order row is upserted only by a snapshot at least as new.
 * Tables: db/migrations/0002_read_model.sql.
 */
import type { Pool, PoolClient } from 'pg';
import type {
  NotificationRequest,
  SupervisionClose,
  SupervisionOpen,
  WorkOrderEvent,
  WorkOrderSnapshot,
} from '../workflows/types';
import { ApplicationFailure } from '@temporalio/common';
import { refusingUnstorableInput } from './storable';
import { deliverWebhook, WebhookError } from './webhook';
import { notificationRowId, writeOutbox } from './outboxStatement';
import { DEFAULT_OUTBOX_GROUPING, OutboxWriter, type OutboxGrouping } from './outboxWriter';

/** The few logger methods the activities use (pino fits). */
export interface ActivityLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ActivityDeps {
  pool: Pool;
  /** For webhooks; the global `fetch` by default. */
  fetch?: typeof fetch;
  logger?: ActivityLogger;
  /** For `recorded_at` and delivery times; `new Date()` by default. */
  now?: () => Date;
  /** Timeout of one webhook POST (default 10 s). */
  webhookTimeoutMs?: number;
  /**
   * How concurrent work orders' outbox batches share a statement (activities/outboxWriter.ts);
   * {@link DEFAULT_OUTBOX_GROUPING} by default.
   */
  outboxGrouping?: OutboxGrouping;
}

export interface RecordEventsInput {
  workOrderId: string;
  events: WorkOrderEvent[];
  snapshot: WorkOrderSnapshot;
}

/** One batch of a work order's outbox (workflows/lifecycle.ts `Outbox`), recorded in one transaction. */
export interface RecordOutboxInput extends RecordEventsInput {
  notifications: NotificationRequest[];
  supervisionOpens: SupervisionOpen[];
  supervisionCloses: SupervisionClose[];
}

export interface NotifyResult {
  /** Outbox rows (one per recipient) now present for this notification. */
  recipients: number;
  /** Webhooks delivered by this attempt. */
  delivered: number;
}

const noopLogger: ActivityLogger = { info: () => undefined, warn: () => undefined };

export { notificationRowId };

type Queryable = Pick<PoolClient, 'query'>;

/** One outbox row per recipient of a notification; an existing row is left as it is. */
async function insertNotificationRows(c: Queryable, request: NotificationRequest): Promise<void> {
  for (const r of request.recipients) {
    await c.query(
      `INSERT INTO notifications (id, work_order_id, audience, unit_id, kind, payload, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (id) DO NOTHING`,
      [
        notificationRowId(request.key, r),
        request.workOrderId,
        r.audience,
        r.audience === 'unit' ? r.unitId : null,
        request.kind,
        JSON.stringify(request.payload),
        request.at,
      ],
    );
  }
}

/** Opens a 督办 record; the same id again changes nothing. */
async function insertSupervision(c: Queryable, record: SupervisionOpen): Promise<void> {
  await c.query(
    `INSERT INTO supervision_records (id, work_order_id, unit_id, level, trigger, clock, reason, opened_at, opened_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (id) DO NOTHING`,
    [
      record.id,
      record.workOrderId,
      record.unitId ?? null,
      record.level,
      record.trigger,
      record.clock ?? null,
      record.reason,
      record.openedAt,
      record.openedBy ?? null,
    ],
  );
}

/** Closes the work order's open 督办 records (or the given ones); closed ones stay as they were. */
async function updateSupervisionClosed(c: Queryable, input: SupervisionClose): Promise<{ closed: number }> {
  const r = await c.query(
    `UPDATE supervision_records SET closed_at = $2, close_reason = $3
      WHERE work_order_id = $1 AND closed_at IS NULL AND ($4::text[] IS NULL OR id = ANY($4))`,
    [input.workOrderId, input.closedAt, input.reason, input.ids ?? null],
  );
  return { closed: r.rowCount ?? 0 };
}

/**
 * Builds the activities.
 *
 * @param deps the database pool, and optionally `fetch`, a logger and a clock
 * @returns `{ recordOutbox, deliverWebhooks }` (what the workflow calls) and the single-purpose
 *   `recordEvents`, `notify`, `openSupervision`, `closeSupervision` (histories recorded before
 *   `recordOutbox` replay with them)
 * @example
 * const worker = await createWorker({ connection, activities: createActivities({ pool }) });
 */
export function createActivities(deps: ActivityDeps) {
  const { pool } = deps;
  const fetchImpl = deps.fetch ?? fetch;
  const logger = deps.logger ?? noopLogger;
  const now = deps.now ?? (() => new Date());
  const webhookTimeoutMs = deps.webhookTimeoutMs ?? 10_000;
  const outbox = new OutboxWriter(pool, now, deps.outboxGrouping ?? DEFAULT_OUTBOX_GROUPING);

  /** Delivers a notification's pending webhooks (its outbox rows exist). */
  async function deliverPending(request: NotificationRequest): Promise<NotifyResult> {
    const unitIds = request.recipients.flatMap((r) => (r.audience === 'unit' ? [r.unitId] : []));
    if (!unitIds.length) return { recipients: request.recipients.length, delivered: 0 };

    const rowIds = unitIds.map((u) => notificationRowId(request.key, { audience: 'unit', unitId: u }));
    const { rows } = await pool.query<{ id: string; unit_id: string; webhook_url: string; webhook_secret: string | null }>(
      `SELECT n.id, n.unit_id, u.webhook_url, u.webhook_secret
         FROM notifications n JOIN units u ON u.id = n.unit_id
        WHERE n.id = ANY($1) AND n.webhook_delivered_at IS NULL AND u.webhook_url IS NOT NULL`,
      [rowIds],
    );
    const failures: string[] = [];
    let retryable = false;
    let delivered = 0;
    for (const row of rows) {
      const body = JSON.stringify({
        id: row.id,
        kind: request.kind,
        workOrderId: request.workOrderId,
        unitId: row.unit_id,
        at: request.at,
        payload: request.payload,
      });
      try {
        await deliverWebhook(fetchImpl, { url: row.webhook_url, secret: row.webhook_secret, deliveryId: row.id, body }, webhookTimeoutMs);
        await pool.query(
          `UPDATE notifications SET webhook_delivered_at = $2, webhook_attempts = webhook_attempts + 1,
             webhook_last_error = NULL WHERE id = $1`,
          [row.id, now()],
        );
        delivered++;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await pool.query(
          `UPDATE notifications SET webhook_attempts = webhook_attempts + 1, webhook_last_error = $2 WHERE id = $1`,
          [row.id, message.slice(0, 1000)],
        );
        // Never log the URL's secret or the key; the unit id and the error suffice.
        logger.warn({ notification: row.id, unitId: row.unit_id, err: message }, 'webhook delivery failed');
        failures.push(`${row.unit_id}: ${message}`);
        if (!(error instanceof WebhookError && error.permanent)) retryable = true;
      }
    }
    if (failures.length) {
      const message = `webhook delivery failed for ${failures.join('; ')}`;
      // Only refusals (4xx) left: stop retrying; the outbox row stays readable through the API.
      if (!retryable) throw ApplicationFailure.nonRetryable(message, 'WEBHOOK_REFUSED');
      throw new Error(message);
    }
    return { recipients: request.recipients.length, delivered };
  }


  // Input that can never be stored fails non-retryably (activities/storable.ts).
  return refusingUnstorableInput({
    /**
     * Appends timeline events (`work_order_events`, keyed by `(work_order_id, seq)`) and upserts
     * the `work_orders` row from the snapshot, in one transaction.
     * @returns how many events were new
     */
    async recordEvents(input: RecordEventsInput): Promise<{ inserted: number }> {
      const { inserted } = await writeOutbox(pool, { ...input, notifications: [], supervisionOpens: [], supervisionCloses: [] }, now());
      return { inserted };
    },

    /**
     * Records one batch of a work order's outbox in ONE statement (so one transaction, which other
     * work orders' batches waiting at the same time may share): the timeline events
     * (`work_order_events`), the read-model row from the snapshot (`work_orders`), the 督办
     * records opened and closed (`supervision_records`) and one notification row per recipient
     * (`notifications`). Every write is keyed (event seq, supervision id, notification key), so
     * a retry changes nothing twice. Webhooks are not sent here (a unit's endpoint may be down
     * for hours): the answer lists the notifications that have webhooks to deliver, for
     * {@link deliverWebhooks}.
     * @returns how many events were new, and the keys of notifications with webhooks pending
     */
    async recordOutbox(input: RecordOutboxInput): Promise<{ inserted: number; webhooks: string[] }> {
      // One statement (activities/outboxStatement.ts), shared with other work orders' batches
      // waiting at the same time: one round trip, one atomic commit.
      const { inserted, hookedUnits } = await outbox.write(input);
      const webhooks = input.notifications
        .filter((n) => n.recipients.some((r) => r.audience === 'unit' && hookedUnits.has(r.unitId)))
        .map((n) => n.key);
      return { inserted, webhooks };
    },

    /**
     * Writes one outbox row per recipient (`notifications`), then POSTs a signed webhook to every
     * addressed unit that has a `webhook_url` and has not been delivered yet. Throws (so the retry
     * policy retries) if any delivery failed; already delivered rows are not sent again. When
     * every failure is a refusal (4xx but 408/429) it throws a non-retryable `WEBHOOK_REFUSED`.
     */
    async notify(request: NotificationRequest): Promise<NotifyResult> {
      await insertNotificationRows(pool, request);
      return deliverPending(request);
    },

    /**
     * POSTs the signed webhooks of a notification whose outbox rows {@link recordOutbox} wrote,
     * to every addressed unit with a `webhook_url` not delivered yet; retried like `notify`
     * (throws while any delivery fails; non-retryable `WEBHOOK_REFUSED` when only refusals are left).
     */
    async deliverWebhooks(request: NotificationRequest): Promise<NotifyResult> {
      return deliverPending(request);
    },

    /** Opens a 督办 record (`supervision_records`); a second call with the same id changes nothing. */
    async openSupervision(record: SupervisionOpen): Promise<void> {
      await insertSupervision(pool, record);
    },

    /** Closes the work order's open 督办 records (or the given ones); already closed stay as they were. */
    async closeSupervision(input: SupervisionClose): Promise<{ closed: number }> {
      return updateSupervisionClosed(pool, input);
    },
  }, logger);
}

/** The activities' type, for `proxyActivities<WorkOrderActivities>()` in the workflow. */
export type WorkOrderActivities = ReturnType<typeof createActivities>;
