/**
 * One batch of a work order's outbox as ONE SQL statement (issue 9): the read-model row, the
 * timeline events, the 督办 records opened and closed, one notification row per recipient, and
 * which addressed units have a webhook. One statement is one round trip and, outside an explicit
 * transaction, one atomic commit: the same all-or-nothing as BEGIN … COMMIT around one statement
 * per row, which cost 4 + events + recipients + records round trips.
 *
 * Every write keeps its key (event seq, supervision id, notification row id) with
 * `ON CONFLICT DO NOTHING`, and the work-order row is upserted only by a snapshot at least as new,
 * so a retry changes nothing twice. Tables: db/migrations/0002_read_model.sql.
 */
import type { PoolClient } from 'pg';
import type { NotificationRequest, SupervisionClose, SupervisionOpen, WorkOrderEvent, WorkOrderSnapshot } from '../workflows/types';

type Queryable = Pick<PoolClient, 'query'>;

/** What one statement writes (the `RecordOutboxInput` of activities/index.ts). */
export interface OutboxWrite {
  workOrderId: string;
  events: WorkOrderEvent[];
  snapshot: WorkOrderSnapshot;
  notifications: NotificationRequest[];
  supervisionOpens: SupervisionOpen[];
  supervisionCloses: SupervisionClose[];
}

/**
 * The statement, for the batches of one or more work orders (at most one batch per work order:
 * a row cannot be upserted twice by one statement). `wo` holds one read-model row per work order;
 * `cl` holds the closes in their order; a record opened in this same statement is inserted
 * already closed by the first close that names it (the closes came after the opens when one
 * statement ran per row), and an existing open record is closed by the first close that names it
 * (a later one found it closed). Rows are written in work-order order, so two statements lock
 * what they share in the same order.
 */
const OUTBOX_SQL = `
WITH wo AS (
  INSERT INTO work_orders (id, stage, classification, category, urgency, channel, main_unit_id, co_unit_ids,
    unit_ids, confidential, caller_name, caller_phone, summary, address, profile_id, created_at, updated_at,
    closed_at, first_dispatched_at, sign_deadline, completion_deadline, next_deadline, overdue,
    signed_on_time, first_contact_on_time, completed_on_time, extended, result_type, satisfaction, resolved,
    satisfaction_exclusion, re_handle_count, escalation_level, last_seq, state)
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(id text, stage text, classification text, category text,
    urgency text, channel text, main_unit_id text, co_unit_ids text[], unit_ids text[], confidential boolean,
    caller_name text, caller_phone text, summary text, address text, profile_id text, created_at timestamptz,
    updated_at timestamptz, closed_at timestamptz, first_dispatched_at timestamptz, sign_deadline timestamptz,
    completion_deadline timestamptz, next_deadline timestamptz, overdue boolean, signed_on_time boolean,
    first_contact_on_time boolean, completed_on_time boolean, extended boolean, result_type text,
    satisfaction text, resolved boolean, satisfaction_exclusion text, re_handle_count integer,
    escalation_level text, last_seq integer, state jsonb)
   ORDER BY w.id
  ON CONFLICT (id) DO UPDATE SET
    stage = EXCLUDED.stage, main_unit_id = EXCLUDED.main_unit_id, co_unit_ids = EXCLUDED.co_unit_ids,
    unit_ids = EXCLUDED.unit_ids, updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at,
    first_dispatched_at = EXCLUDED.first_dispatched_at, sign_deadline = EXCLUDED.sign_deadline,
    completion_deadline = EXCLUDED.completion_deadline, next_deadline = EXCLUDED.next_deadline,
    overdue = EXCLUDED.overdue, signed_on_time = EXCLUDED.signed_on_time,
    first_contact_on_time = EXCLUDED.first_contact_on_time, completed_on_time = EXCLUDED.completed_on_time,
    extended = EXCLUDED.extended, result_type = EXCLUDED.result_type, satisfaction = EXCLUDED.satisfaction,
    resolved = EXCLUDED.resolved, satisfaction_exclusion = EXCLUDED.satisfaction_exclusion,
    re_handle_count = EXCLUDED.re_handle_count, escalation_level = EXCLUDED.escalation_level,
    last_seq = EXCLUDED.last_seq, state = EXCLUDED.state
  WHERE work_orders.last_seq <= EXCLUDED.last_seq
),
ev AS (
  INSERT INTO work_order_events (work_order_id, seq, at, type, actor_user_id, actor_role, actor_unit_id, unit_id, detail, recorded_at)
  SELECT e.work_order_id, e.seq, e.at, e.type, e.actor_user_id, e.actor_role, e.actor_unit_id, e.unit_id, e.detail, $3
    FROM jsonb_to_recordset($2::jsonb) AS e(work_order_id text, seq integer, at timestamptz, type text, actor_user_id text,
      actor_role text, actor_unit_id text, unit_id text, detail jsonb)
   ORDER BY e.work_order_id, e.seq
  ON CONFLICT (work_order_id, seq) DO NOTHING
  RETURNING work_order_id
),
cl AS (
  SELECT * FROM jsonb_to_recordset($5::jsonb) AS c(ord integer, work_order_id text, ids text[], closed_at timestamptz, reason text)
),
opened AS (
  INSERT INTO supervision_records (id, work_order_id, unit_id, level, trigger, clock, reason, opened_at, opened_by, closed_at, close_reason)
  SELECT o.id, o.work_order_id, o.unit_id, o.level, o.trigger, o.clock, o.reason, o.opened_at, o.opened_by, c.closed_at, c.reason
    FROM jsonb_to_recordset($4::jsonb) AS o(id text, work_order_id text, unit_id text, level text, trigger text, clock text,
      reason text, opened_at timestamptz, opened_by text)
    LEFT JOIN LATERAL (
      SELECT cl.closed_at, cl.reason FROM cl
       WHERE cl.work_order_id = o.work_order_id AND (cl.ids IS NULL OR o.id = ANY (cl.ids))
       ORDER BY cl.ord LIMIT 1
    ) c ON true
   ORDER BY o.id
  ON CONFLICT (id) DO NOTHING
),
closed AS (
  UPDATE supervision_records s SET closed_at = first.closed_at, close_reason = first.reason
    FROM (
      SELECT DISTINCT ON (r.id) r.id, cl.closed_at, cl.reason
        FROM cl JOIN supervision_records r
          ON r.work_order_id = cl.work_order_id AND r.closed_at IS NULL AND (cl.ids IS NULL OR r.id = ANY (cl.ids))
       ORDER BY r.id, cl.ord
    ) first
   WHERE s.id = first.id
),
notified AS (
  INSERT INTO notifications (id, work_order_id, audience, unit_id, kind, payload, created_at)
  SELECT n.id, n.work_order_id, n.audience, n.unit_id, n.kind, n.payload, n.created_at
    FROM jsonb_to_recordset($6::jsonb) AS n(id text, work_order_id text, audience text, unit_id text, kind text,
      payload jsonb, created_at timestamptz)
   ORDER BY n.id
  ON CONFLICT (id) DO NOTHING
)
SELECT ARRAY(SELECT work_order_id FROM ev) AS inserted,
       ARRAY(SELECT id FROM units WHERE id = ANY ($7::text[]) AND webhook_url IS NOT NULL) AS hooked`;

/** The outbox row id of one recipient of a notification (`<key>:unit:<id>` or `<key>:<audience>`). */
export function notificationRowId(key: string, r: NotificationRequest['recipients'][number]): string {
  return r.audience === 'unit' ? `${key}:unit:${r.unitId}` : `${key}:${r.audience}`;
}

/** What one work order's batch wrote: how many events were new, its addressed units with a webhook. */
export interface OutboxWritten {
  inserted: number;
  hookedUnits: Set<string>;
}

/** Writes one outbox batch in one statement. */
export async function writeOutbox(c: Queryable, input: OutboxWrite, recordedAt: Date): Promise<OutboxWritten> {
  const [written] = await writeOutboxes(c, [input], recordedAt);
  return written;
}

/** The `work_orders` row of a snapshot, folded up to event `lastSeq` (db/migrations/0002_read_model.sql). */
function readModelRow(snapshot: WorkOrderSnapshot, lastSeq: number) {
  const s = snapshot.state;
  return {
    id: s.workOrderId,
    stage: s.stage,
    classification: s.classification,
    category: s.category,
    urgency: s.urgency,
    channel: s.channel,
    main_unit_id: s.mainUnitId ?? null,
    co_unit_ids: s.coUnitIds,
    unit_ids: [...new Set(s.units.map((u) => u.unitId))],
    confidential: s.confidential,
    caller_name: s.intake.callerName,
    caller_phone: s.intake.callerPhone,
    summary: s.intake.summary,
    address: s.intake.address ?? null,
    profile_id: s.profileId,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    closed_at: s.closedAt ?? null,
    first_dispatched_at: s.firstDispatchedAt ?? null,
    sign_deadline: snapshot.signDeadline ?? null,
    completion_deadline: snapshot.completionDeadline ?? null,
    next_deadline: snapshot.nextDeadline ?? null,
    overdue: snapshot.overdue,
    signed_on_time: snapshot.signedOnTime ?? null,
    first_contact_on_time: snapshot.firstContactOnTime ?? null,
    completed_on_time: snapshot.completedOnTime ?? null,
    extended: snapshot.extended,
    result_type: snapshot.resultType ?? null,
    satisfaction: snapshot.satisfaction ?? null,
    resolved: snapshot.resolved ?? null,
    satisfaction_exclusion: snapshot.satisfactionExclusion ?? null,
    re_handle_count: s.reHandleCount,
    escalation_level: s.escalationLevel ?? null,
    last_seq: lastSeq,
    state: s,
  };
}

/**
 * Writes the outbox batches of several work orders (at most one each) in ONE statement: one
 * round trip and one commit for all of them, all or nothing.
 *
 * @returns per batch, in order: how many events were new, and its addressed units that have a webhook
 */
export async function writeOutboxes(c: Queryable, inputs: readonly OutboxWrite[], recordedAt: Date): Promise<OutboxWritten[]> {
  const workOrders: unknown[] = [];
  const events: unknown[] = [];
  const opens: unknown[] = [];
  const closes: unknown[] = [];
  const rows: Array<{ id: string; work_order_id: string; audience: string; unit_id: string | null; kind: string; payload: unknown; created_at: string }> = [];
  const unitIds = new Set<string>();
  for (const input of inputs) {
    const { snapshot } = input;
    const s = snapshot.state;
    let lastSeq = s.seq;
    for (const e of input.events) {
      if (e.seq > lastSeq) lastSeq = e.seq;
      events.push({
        work_order_id: s.workOrderId,
        seq: e.seq,
        at: e.at,
        type: e.type,
        actor_user_id: e.actor.role === 'system' ? null : e.actor.userId,
        actor_role: e.actor.role,
        actor_unit_id: e.actor.unitId ?? null,
        unit_id: e.unitId ?? null,
        detail: e.detail,
      });
    }
    workOrders.push(readModelRow(snapshot, lastSeq));
    for (const r of input.supervisionOpens) {
      opens.push({
        id: r.id,
        work_order_id: r.workOrderId,
        unit_id: r.unitId ?? null,
        level: r.level,
        trigger: r.trigger,
        clock: r.clock ?? null,
        reason: r.reason,
        opened_at: r.openedAt,
        opened_by: r.openedBy ?? null,
      });
    }
    for (const r of input.supervisionCloses) {
      closes.push({ ord: closes.length, work_order_id: r.workOrderId, ids: r.ids ?? null, closed_at: r.closedAt, reason: r.reason });
    }
    for (const n of input.notifications) {
      for (const r of n.recipients) {
        const unitId = r.audience === 'unit' ? r.unitId : null;
        if (unitId) unitIds.add(unitId);
        rows.push({ id: notificationRowId(n.key, r), work_order_id: n.workOrderId, audience: r.audience, unit_id: unitId, kind: n.kind, payload: n.payload, created_at: n.at });
      }
    }
  }
  const { rows: result } = await c.query<{ inserted: string[]; hooked: string[] }>({ name: 'record-outbox', text: OUTBOX_SQL, values: [
    JSON.stringify(workOrders),
    JSON.stringify(events),
    recordedAt,
    JSON.stringify(opens),
    JSON.stringify(closes),
    JSON.stringify(rows),
    [...unitIds],
  ] });
  const insertedBy = new Map<string, number>();
  for (const id of result[0].inserted) insertedBy.set(id, (insertedBy.get(id) ?? 0) + 1);
  const hooked = new Set(result[0].hooked);
  return inputs.map((input) => {
    const own = new Set<string>();
    for (const n of input.notifications) for (const r of n.recipients) if (r.audience === 'unit' && hooked.has(r.unitId)) own.add(r.unitId);
    return { inserted: insertedBy.get(input.snapshot.state.workOrderId) ?? 0, hookedUnits: own };
  });
}
