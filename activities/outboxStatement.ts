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
 * The statement. `cl` holds the closes in their order; a record opened in this same batch is
 * inserted already closed by the first close that names it (the closes came after the opens when
 * one statement ran per row), and an existing open record is closed by the first close that
 * names it (a later one found it closed).
 */
const OUTBOX_SQL = `
WITH wo AS (
  INSERT INTO work_orders (id, stage, classification, category, urgency, channel, main_unit_id, co_unit_ids,
    unit_ids, confidential, caller_name, caller_phone, summary, address, profile_id, created_at, updated_at,
    closed_at, first_dispatched_at, sign_deadline, completion_deadline, next_deadline, overdue,
    signed_on_time, first_contact_on_time, completed_on_time, extended, result_type, satisfaction, resolved,
    satisfaction_exclusion, re_handle_count, escalation_level, last_seq, state)
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,
    $28,$29,$30,$31,$32,$33,$34,$35)
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
  SELECT $1, e.seq, e.at, e.type, e.actor_user_id, e.actor_role, e.actor_unit_id, e.unit_id, e.detail, $37
    FROM jsonb_to_recordset($36::jsonb) AS e(seq integer, at timestamptz, type text, actor_user_id text, actor_role text,
      actor_unit_id text, unit_id text, detail jsonb)
  ON CONFLICT (work_order_id, seq) DO NOTHING
  RETURNING 1
),
cl AS (
  SELECT * FROM jsonb_to_recordset($39::jsonb) AS c(ord integer, work_order_id text, ids text[], closed_at timestamptz, reason text)
),
opened AS (
  INSERT INTO supervision_records (id, work_order_id, unit_id, level, trigger, clock, reason, opened_at, opened_by, closed_at, close_reason)
  SELECT o.id, o.work_order_id, o.unit_id, o.level, o.trigger, o.clock, o.reason, o.opened_at, o.opened_by, c.closed_at, c.reason
    FROM jsonb_to_recordset($38::jsonb) AS o(id text, work_order_id text, unit_id text, level text, trigger text, clock text,
      reason text, opened_at timestamptz, opened_by text)
    LEFT JOIN LATERAL (
      SELECT cl.closed_at, cl.reason FROM cl
       WHERE cl.work_order_id = o.work_order_id AND (cl.ids IS NULL OR o.id = ANY (cl.ids))
       ORDER BY cl.ord LIMIT 1
    ) c ON true
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
    FROM jsonb_to_recordset($40::jsonb) AS n(id text, work_order_id text, audience text, unit_id text, kind text,
      payload jsonb, created_at timestamptz)
  ON CONFLICT (id) DO NOTHING
)
SELECT (SELECT count(*) FROM ev)::int AS inserted,
       ARRAY(SELECT id FROM units WHERE id = ANY ($41::text[]) AND webhook_url IS NOT NULL) AS hooked`;

/** The outbox row id of one recipient of a notification (`<key>:unit:<id>` or `<key>:<audience>`). */
export function notificationRowId(key: string, r: NotificationRequest['recipients'][number]): string {
  return r.audience === 'unit' ? `${key}:unit:${r.unitId}` : `${key}:${r.audience}`;
}

/**
 * Writes one outbox batch in one statement.
 *
 * @returns how many events were new, and the addressed units that have a webhook
 */
export async function writeOutbox(c: Queryable, input: OutboxWrite, recordedAt: Date): Promise<{ inserted: number; hookedUnits: Set<string> }> {
  const { snapshot } = input;
  const s = snapshot.state;
  const lastSeq = Math.max(s.seq, ...input.events.map((e) => e.seq));
  const events = input.events.map((e) => ({
    seq: e.seq,
    at: e.at,
    type: e.type,
    actor_user_id: e.actor.role === 'system' ? null : e.actor.userId,
    actor_role: e.actor.role,
    actor_unit_id: e.actor.unitId ?? null,
    unit_id: e.unitId ?? null,
    detail: e.detail,
  }));
  const opens = input.supervisionOpens.map((r) => ({
    id: r.id,
    work_order_id: r.workOrderId,
    unit_id: r.unitId ?? null,
    level: r.level,
    trigger: r.trigger,
    clock: r.clock ?? null,
    reason: r.reason,
    opened_at: r.openedAt,
    opened_by: r.openedBy ?? null,
  }));
  const closes = input.supervisionCloses.map((r, i) => ({ ord: i, work_order_id: r.workOrderId, ids: r.ids ?? null, closed_at: r.closedAt, reason: r.reason }));
  const rows = input.notifications.flatMap((n) =>
    n.recipients.map((r) => ({
      id: notificationRowId(n.key, r),
      work_order_id: n.workOrderId,
      audience: r.audience,
      unit_id: r.audience === 'unit' ? r.unitId : null,
      kind: n.kind,
      payload: n.payload,
      created_at: n.at,
    })),
  );
  const unitIds = [...new Set(rows.flatMap((r) => (r.unit_id ? [r.unit_id] : [])))];
  const { rows: result } = await c.query<{ inserted: number; hooked: string[] }>({ name: 'record-outbox', text: OUTBOX_SQL, values: [
    s.workOrderId,
    s.stage,
    s.classification,
    s.category,
    s.urgency,
    s.channel,
    s.mainUnitId ?? null,
    s.coUnitIds,
    [...new Set(s.units.map((u) => u.unitId))],
    s.confidential,
    s.intake.callerName,
    s.intake.callerPhone,
    s.intake.summary,
    s.intake.address ?? null,
    s.profileId,
    s.createdAt,
    s.updatedAt,
    s.closedAt ?? null,
    s.firstDispatchedAt ?? null,
    snapshot.signDeadline ?? null,
    snapshot.completionDeadline ?? null,
    snapshot.nextDeadline ?? null,
    snapshot.overdue,
    snapshot.signedOnTime ?? null,
    snapshot.firstContactOnTime ?? null,
    snapshot.completedOnTime ?? null,
    snapshot.extended,
    snapshot.resultType ?? null,
    snapshot.satisfaction ?? null,
    snapshot.resolved ?? null,
    snapshot.satisfactionExclusion ?? null,
    s.reHandleCount,
    s.escalationLevel ?? null,
    lastSeq,
    JSON.stringify(s),
    JSON.stringify(events),
    recordedAt,
    JSON.stringify(opens),
    JSON.stringify(closes),
    JSON.stringify(rows),
    unitIds,
  ] });
  return { inserted: result[0].inserted, hookedUnits: new Set(result[0].hooked) };
}
