/**
 * The 督办 records (`supervision_records`, written by the workflow's outbox: 001 三(三) every 督办
 * is recorded), listed for supervisors: open and closed, with the method (书面/电话/现场/会议协调/
 * 指定督办, 004 第十二条(二), 001 三(三)) and the outcome (when and why it closed, the work order's
 * stage now). The method of a manual 督办 is kept on the work order's escalation of the same
 * timeline seq (the record's id is `<work order>:<seq>`); one the clock opened has none.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { isoDateSchema, isoDateTimeSchema } from '../../domain/storableSchemas';
import { unitIdSchema, workOrderIdSchema } from '../../domain/workorder';

/** 督办方式 (domain/workorder.ts superviseSchema), and `unspecified` for a record without one. */
export const supervisionMethods = ['written', 'phone', 'onSite', 'meeting', 'designated', 'unspecified'] as const;
export type SupervisionMethod = (typeof supervisionMethods)[number];

const instant = z.union([isoDateTimeSchema(), isoDateSchema()], {
  error: "an ISO date 'YYYY-MM-DD' or date-time with offset, e.g. 2026-03-02T09:00:00+08:00",
});

/** The query of `GET /reports/supervisions`. */
export const supervisionQuerySchema = z.object({
  status: z.enum(['open', 'closed']).optional().meta({ description: 'open: not yet closed; closed: closed (work order closed or withdrawn)' }),
  method: z.enum(supervisionMethods).optional(),
  unit: unitIdSchema.optional(),
  workOrderId: workOrderIdSchema.optional(),
  trigger: z.string().trim().min(1).max(64).optional(),
  openedFrom: instant.optional(),
  openedTo: instant.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type SupervisionQuery = z.infer<typeof supervisionQuerySchema>;

export interface SupervisionRow {
  id: string;
  workOrderId: string;
  unitId: string | null;
  unitName: string | null;
  level: string;
  trigger: string;
  method: SupervisionMethod;
  clock: string | null;
  reason: string;
  openedAt: string;
  /** The user who issued it; null when the clock did. */
  openedBy: string | null;
  status: 'open' | 'closed';
  closedAt: string | null;
  closeReason: string | null;
  /** The work order now: its stage and summary (the outcome of the 督办). */
  stage: string | null;
  summary: string | null;
}

const methodSql = `coalesce((SELECT x->>'method' FROM jsonb_array_elements(coalesce(w.state->'escalations', '[]'::jsonb)) x
                     WHERE x->>'seq' = substring(s.id from '[^:]+$') LIMIT 1), 'unspecified')`;

/** A date alone means its midnight in China (+08:00); a date-time keeps its own offset. */
export const chinaInstant = (v: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00+08:00` : v);

/** The records matching `q`, newest first, one page of them, and how many match in all. */
export async function listSupervisions(pool: Pool, q: Omit<SupervisionQuery, 'page' | 'pageSize'> & { page: number; pageSize: number }): Promise<{ items: SupervisionRow[]; total: number }> {
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (q.status === 'open') where.push('s.closed_at IS NULL');
  if (q.status === 'closed') where.push('s.closed_at IS NOT NULL');
  if (q.method) where.push(`${methodSql} = ${param(q.method)}`);
  if (q.unit) where.push(`s.unit_id = ${param(q.unit)}`);
  if (q.workOrderId) where.push(`s.work_order_id = ${param(q.workOrderId)}`);
  if (q.trigger) where.push(`s.trigger = ${param(q.trigger)}`);
  if (q.openedFrom) where.push(`s.opened_at >= ${param(chinaInstant(q.openedFrom))}::timestamptz`);
  if (q.openedTo) where.push(`s.opened_at < ${param(chinaInstant(q.openedTo))}::timestamptz`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const { rows } = await pool.query<{
    id: string; work_order_id: string; unit_id: string | null; unit_name: string | null; level: string; trigger: string; method: SupervisionMethod;
    clock: string | null; reason: string; opened_at: Date; opened_by: string | null; closed_at: Date | null; close_reason: string | null;
    stage: string | null; summary: string | null; total: string;
  }>(
    `SELECT s.id, s.work_order_id, s.unit_id, u.name AS unit_name, s.level, s.trigger, ${methodSql} AS method, s.clock, s.reason,
            s.opened_at, s.opened_by, s.closed_at, s.close_reason, w.stage, w.summary, count(*) OVER () AS total
       FROM supervision_records s
       LEFT JOIN work_orders w ON w.id = s.work_order_id
       LEFT JOIN units u ON u.id = s.unit_id
      ${filter}
      ORDER BY s.opened_at DESC, s.id DESC
      LIMIT ${param(q.pageSize)} OFFSET ${param((q.page - 1) * q.pageSize)}`,
    values,
  );
  let total = rows.length ? Number(rows[0].total) : 0;
  if (!rows.length && q.page > 1) {
    const counted = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM supervision_records s LEFT JOIN work_orders w ON w.id = s.work_order_id ${filter}`,
      values.slice(0, values.length - 2),
    );
    total = Number(counted.rows[0].n);
  }
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      workOrderId: r.work_order_id,
      unitId: r.unit_id,
      unitName: r.unit_name,
      level: r.level,
      trigger: r.trigger,
      method: r.method,
      clock: r.clock,
      reason: r.reason,
      openedAt: r.opened_at.toISOString(),
      openedBy: r.opened_by,
      status: r.closed_at ? 'closed' : 'open',
      closedAt: r.closed_at ? r.closed_at.toISOString() : null,
      closeReason: r.close_reason,
      stage: r.stage,
      summary: r.summary,
    })),
  };
}

/** Open 督办 records by method (the dashboard): every method, zero included. */
export async function openSupervisionsByMethod(pool: Pool): Promise<Record<SupervisionMethod, number>> {
  const { rows } = await pool.query<{ method: SupervisionMethod; n: string }>(
    `SELECT ${methodSql} AS method, count(*) AS n
       FROM supervision_records s LEFT JOIN work_orders w ON w.id = s.work_order_id
      WHERE s.closed_at IS NULL GROUP BY 1`,
  );
  const out = Object.fromEntries(supervisionMethods.map((m) => [m, 0])) as Record<SupervisionMethod, number>;
  for (const r of rows) out[supervisionMethods.includes(r.method) ? r.method : 'unspecified'] += Number(r.n);
  return out;
}
