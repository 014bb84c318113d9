/**
 * The read side of work orders (tables written by the workflow's activities, see
 * db/migrations/0002_read_model.sql) and the API's own bookkeeping: work-order numbers and
 * idempotency keys.
 */
import type { Pool } from 'pg';
import type { WorkOrderState } from '../../workflows/messages';
import type { AuthUser } from '../http/auth';
import { chinaUtcOffsetMinutes } from '../../domain/calendar';

/** A fresh work-order number: the local (UTC+8) date and a sequence, e.g. `20260306000042`. */
export async function nextWorkOrderId(pool: Pool, now: Date): Promise<string> {
  const { rows } = await pool.query<{ n: string }>("SELECT nextval('work_order_number_seq')::text AS n");
  const local = new Date(now.getTime() + chinaUtcOffsetMinutes * 60_000).toISOString().slice(0, 10).replace(/-/g, '');
  return `${local}${rows[0].n.padStart(6, '0')}`;
}

/**
 * A fresh work-order number ({@link nextWorkOrderId}) claimed under an idempotency key
 * ({@link claimIdempotencyKey}) in ONE statement (issue 9: one round trip fewer per creation).
 *
 * @returns `{ claimed: true, workOrderId }` when the key is new (it now maps to the new number),
 * otherwise the work order it already maps to and whether the earlier request was the same
 */
export async function claimNewWorkOrder(
  pool: Pool,
  now: Date,
  userId: string,
  key: string,
  requestHash: string,
): Promise<{ claimed: true; workOrderId: string } | { claimed: false; workOrderId: string; sameRequest: boolean }> {
  const local = new Date(now.getTime() + chinaUtcOffsetMinutes * 60_000).toISOString().slice(0, 10).replace(/-/g, '');
  // The number as nextWorkOrderId makes it: the local date and the sequence, at least 6 digits.
  const { rows } = await pool.query<{ work_order_id: string; claimed: boolean; request_hash: string | null }>(
    `WITH fresh AS (SELECT nextval('work_order_number_seq')::text AS n),
          ins AS (INSERT INTO idempotency_keys (user_id, key, request_hash, work_order_id)
                  SELECT $1, $2, $3, $4 || CASE WHEN length(n) >= 6 THEN n ELSE lpad(n, 6, '0') END FROM fresh
                  ON CONFLICT (user_id, key) DO NOTHING RETURNING work_order_id)
     SELECT work_order_id, true AS claimed, NULL AS request_hash FROM ins
     UNION ALL
     SELECT work_order_id, false, request_hash FROM idempotency_keys
      WHERE user_id = $1 AND key = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
    [userId, key, requestHash, local],
  );
  const row = rows[0];
  if (row?.claimed) return { claimed: true, workOrderId: row.work_order_id };
  if (row) return { claimed: false, workOrderId: row.work_order_id, sameRequest: row.request_hash === requestHash };
  // The same key claimed by a request that committed after this statement began: read it now.
  const again = await pool.query<{ request_hash: string; work_order_id: string }>(
    'SELECT request_hash, work_order_id FROM idempotency_keys WHERE user_id = $1 AND key = $2',
    [userId, key],
  );
  return { claimed: false, workOrderId: again.rows[0].work_order_id, sameRequest: again.rows[0].request_hash === requestHash };
}

/**
 * Claims an idempotency key for a new work order.
 *
 * @returns `{ claimed: true }` when the key is new (it now maps to `workOrderId`), otherwise the
 * work order it already maps to and whether the earlier request was the same
 */
export async function claimIdempotencyKey(
  pool: Pool,
  userId: string,
  key: string,
  requestHash: string,
  workOrderId: string,
): Promise<{ claimed: true } | { claimed: false; workOrderId: string; sameRequest: boolean }> {
  const inserted = await pool.query(
    `INSERT INTO idempotency_keys (user_id, key, request_hash, work_order_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, key) DO NOTHING`,
    [userId, key, requestHash, workOrderId],
  );
  if ((inserted.rowCount ?? 0) > 0) return { claimed: true };
  const { rows } = await pool.query<{ request_hash: string; work_order_id: string }>(
    'SELECT request_hash, work_order_id FROM idempotency_keys WHERE user_id = $1 AND key = $2',
    [userId, key],
  );
  return { claimed: false, workOrderId: rows[0].work_order_id, sameRequest: rows[0].request_hash === requestHash };
}

/** The read model's last snapshot of a work order (used once its workflow cannot be queried). */
export async function snapshot(pool: Pool, id: string): Promise<WorkOrderState | undefined> {
  const { rows } = await pool.query<{ state: WorkOrderState }>('SELECT state FROM work_orders WHERE id = $1', [id]);
  return rows[0]?.state;
}

export interface TicketFilter {
  stage?: string[];
  unit?: string;
  category?: string[];
  urgency?: string;
  overdue?: boolean;
  /** Milliseconds: the next deadline falls within this from now. */
  dueWithin?: number;
  createdFrom?: string;
  createdTo?: string;
  text?: string;
  page: number;
  pageSize: number;
  /** `deadline`: open work orders by nearest next deadline first; default newest first. */
  sort?: 'created' | 'deadline';
}

export interface TicketRow {
  id: string;
  stage: string;
  classification: string;
  category: string;
  urgency: string;
  channel: string;
  mainUnitId: string | null;
  coUnitIds: string[];
  confidential: boolean;
  callerName?: string;
  callerPhone?: string;
  summary: string;
  address: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  signDeadline: string | null;
  completionDeadline: string | null;
  nextDeadline: string | null;
  overdue: boolean;
  escalationLevel: string | null;
  /** A pending deadline was counted across a year with no official holiday schedule yet (暂定). */
  provisional: boolean;
}

interface Row {
  id: string;
  stage: string;
  classification: string;
  category: string;
  urgency: string;
  channel: string;
  main_unit_id: string | null;
  co_unit_ids: string[];
  confidential: boolean;
  caller_name: string;
  caller_phone: string;
  summary: string;
  address: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  sign_deadline: Date | null;
  completion_deadline: Date | null;
  next_deadline: Date | null;
  is_overdue: boolean;
  escalation_level: string | null;
  provisional: boolean;
  total: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Lists work orders from the read model, newest first. A unit sees only the work orders it is
 * main or co-unit of now; only the center and admins can search by the caller's name or phone.
 */
export async function listTickets(
  pool: Pool,
  user: AuthUser,
  filter: TicketFilter,
  now: Date,
): Promise<{ items: TicketRow[]; total: number }> {
  const where: string[] = [];
  const values: unknown[] = [now];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  // "Overdue": an obligation missed and still open, or the next deadline already passed.
  const overdueSql = '(w.closed_at IS NULL AND (w.overdue OR w.next_deadline < $1))';
  if (user.role === 'unit') {
    const me = param(user.unitId);
    where.push(`(w.main_unit_id = ${me} OR ${me} = ANY (w.co_unit_ids))`);
  }
  if (filter.stage?.length) where.push(`w.stage = ANY (${param(filter.stage)})`);
  if (filter.category?.length) where.push(`w.category = ANY (${param(filter.category)})`);
  if (filter.urgency) where.push(`w.urgency = ${param(filter.urgency)}`);
  if (filter.unit) {
    const unit = param(filter.unit);
    where.push(`(w.main_unit_id = ${unit} OR ${unit} = ANY (w.co_unit_ids))`);
  }
  if (filter.overdue !== undefined) where.push(filter.overdue ? overdueSql : `NOT ${overdueSql}`);
  if (filter.dueWithin !== undefined) {
    where.push(`(w.closed_at IS NULL AND w.next_deadline >= $1 AND w.next_deadline <= $1::timestamptz + ${param(filter.dueWithin)} * interval '1 millisecond')`);
  }
  if (filter.createdFrom) where.push(`w.created_at >= ${param(filter.createdFrom)}`);
  if (filter.createdTo) where.push(`w.created_at < ${param(filter.createdTo)}`);
  if (filter.text) {
    const pattern = param(`%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const fields = ['w.id', 'w.summary', "coalesce(w.address, '')"];
    if (user.role === 'center' || user.role === 'admin') fields.push('w.caller_name', 'w.caller_phone');
    where.push(`(${fields.map((f) => `${f} ILIKE ${pattern}`).join(' OR ')})`);
  }
  const limit = param(filter.pageSize);
  const offset = param((filter.page - 1) * filter.pageSize);
  const { rows } = await pool.query<Row>(
    `SELECT w.id, w.stage, w.classification, w.category, w.urgency, w.channel, w.main_unit_id, w.co_unit_ids,
            w.confidential, w.caller_name, w.caller_phone, w.summary, w.address, w.created_at, w.updated_at,
            w.closed_at, w.sign_deadline, w.completion_deadline, w.next_deadline, ${overdueSql} AS is_overdue,
            w.escalation_level, coalesce((w.state->>'provisional')::boolean, false) AS provisional, count(*) OVER () AS total
       FROM work_orders w
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${filter.sort === 'deadline' ? '(w.closed_at IS NULL) DESC, w.next_deadline ASC NULLS LAST, ' : ''}w.created_at DESC, w.id DESC
      LIMIT ${limit} OFFSET ${offset}`,
    values,
  );
  const items = rows.map(
    (r): TicketRow => ({
      id: r.id,
      stage: r.stage,
      classification: r.classification,
      category: r.category,
      urgency: r.urgency,
      channel: r.channel,
      mainUnitId: r.main_unit_id,
      coUnitIds: r.co_unit_ids,
      confidential: r.confidential,
      callerName: r.caller_name,
      callerPhone: r.caller_phone,
      summary: r.summary,
      address: r.address,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      closedAt: iso(r.closed_at),
      signDeadline: iso(r.sign_deadline),
      completionDeadline: iso(r.completion_deadline),
      nextDeadline: iso(r.next_deadline),
      overdue: r.is_overdue,
      escalationLevel: r.escalation_level,
      provisional: r.provisional,
    }),
  );
  let total = rows.length ? Number(rows[0].total) : 0;
  if (!rows.length && filter.page > 1) {
    // Past the last page: count separately so the client still learns the total.
    const counted = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM work_orders w WHERE $1::timestamptz IS NOT NULL ${where.map((w) => `AND ${w}`).join(' ')}`,
      values.slice(0, values.length - 2),
    );
    total = Number(counted.rows[0].n);
  }
  return { items, total };
}

export interface TimelineEvent {
  seq: number;
  at: string;
  type: string;
  actor: { userId: string | null; role: string | null; unitId: string | null };
  unitId: string | null;
  detail: Record<string, unknown>;
}

/** The whole recorded timeline of a work order (the live state keeps only its latest entries). */
export async function timeline(pool: Pool, id: string, page: { afterSeq: number; limit: number }): Promise<TimelineEvent[]> {
  const { rows } = await pool.query<{
    seq: number;
    at: Date;
    type: string;
    actor_user_id: string | null;
    actor_role: string | null;
    actor_unit_id: string | null;
    unit_id: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT seq, at, type, actor_user_id, actor_role, actor_unit_id, unit_id, detail FROM work_order_events
      WHERE work_order_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [id, page.afterSeq, page.limit],
  );
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at.toISOString(),
    type: r.type,
    actor: { userId: r.actor_user_id, role: r.actor_role, unitId: r.actor_unit_id },
    unitId: r.unit_id,
    detail: r.detail,
  }));
}
