/**
 * The month's work-order lists the regulations ask for:
 * - 未先联 / 未解决 / 不满意 (003 第五条(三) 每月梳理分析未先行联系、未解决、不满意工单): the work
 *   orders whose callback (回访) that reached the caller in the month said so. Such a work order
 *   is usually sent back for re-handling (003 第五条(四)), so these are callbacks, not closings:
 *   the month's scores count only the closed ones.
 * - 延期后仍超期 (000 附件2 五.2 经延期办理而又超期未办结): exactly the rows the month's scoring
 *   counted as that event (the traced report), so the list and the scores agree.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { gradeCounts } from '../../domain/scoring';
import type { CallbackRecord } from '../../workflows/messages';
import { currentProfile } from '../hotline/repository';
import { monthRange, monthlyReport } from './service';

export const monthListNames = ['notContactedFirst', 'unresolved', 'unsatisfied', 'overdueAfterExtension'] as const;
export type MonthListName = (typeof monthListNames)[number];

export interface MonthListRow {
  workOrderId: string;
  /** The units it concerns: for callbacks the main and co-units now, for the scoring event the unit charged. */
  unitIds: string[];
  unitNames: string[];
  stage: string;
  category: string;
  summary: string;
  mainUnitId: string | null;
  createdAt: string;
  closedAt: string | null;
  completionDeadline: string | null;
  /** The month's callback that put it on the list (callback lists). */
  callbackAt: string | null;
  satisfaction: string | null;
}

export const monthListQuerySchema = z.object({
  unit: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

interface Row {
  id: string;
  stage: string;
  category: string;
  summary: string;
  main_unit_id: string | null;
  co_unit_ids: string[];
  created_at: Date;
  closed_at: Date | null;
  completion_deadline: Date | null;
  callbacks: CallbackRecord[] | null;
}

const columns = `w.id, w.stage, w.category, w.summary, w.main_unit_id, w.co_unit_ids, w.created_at, w.closed_at, w.completion_deadline,
                 w.state->'callbacks' AS callbacks`;

/** Every work order on `list` for `month` (newest first); `unit`: those concerning that unit. */
export async function monthList(pool: Pool, list: MonthListName, month: string, now: Date, unit?: string): Promise<MonthListRow[]> {
  const { start, end } = monthRange(month);
  const names = new Map((await pool.query<{ id: string; name: string }>('SELECT id, name FROM units')).rows.map((r) => [r.id, r.name]));
  const row = (r: Row, unitIds: string[], callback?: CallbackRecord): MonthListRow => ({
    workOrderId: r.id,
    unitIds,
    unitNames: unitIds.map((id) => names.get(id) ?? id),
    stage: r.stage,
    category: r.category,
    summary: r.summary,
    mainUnitId: r.main_unit_id,
    createdAt: r.created_at.toISOString(),
    closedAt: r.closed_at ? r.closed_at.toISOString() : null,
    completionDeadline: r.completion_deadline ? r.completion_deadline.toISOString() : null,
    callbackAt: callback?.at ?? null,
    satisfaction: callback?.satisfaction ?? null,
  });

  if (list === 'overdueAfterExtension') {
    const report = await monthlyReport(pool, month, now, { trace: true });
    const charged = new Map<string, string[]>();
    for (const u of report.units) {
      if (unit && u.unitId !== unit) continue;
      for (const c of u.causes ?? []) {
        if (c.kind === 'event' && c.event === 'overdueAfterExtension' && c.workOrderId) charged.set(c.workOrderId, [...(charged.get(c.workOrderId) ?? []), u.unitId]);
      }
    }
    if (!charged.size) return [];
    const { rows } = await pool.query<Row>(`SELECT ${columns} FROM work_orders w WHERE w.id = ANY ($1) ORDER BY w.created_at DESC, w.id DESC`, [[...charged.keys()]]);
    return rows.map((r) => row(r, [...new Set(charged.get(r.id))].sort()));
  }

  const profile = await currentProfile(pool);
  const values: unknown[] = [start, end];
  const unitFilter = unit ? `AND (w.main_unit_id = $3 OR $3 = ANY (w.co_unit_ids))` : '';
  if (unit) values.push(unit);
  const { rows } = await pool.query<Row>(
    `SELECT ${columns} FROM work_orders w
      WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(w.state->'callbacks', '[]'::jsonb)) c
                     WHERE (c->>'at')::timestamptz >= $1 AND (c->>'at')::timestamptz < $2) ${unitFilter}
      ORDER BY w.created_at DESC, w.id DESC`,
    values,
  );
  const matches = (c: CallbackRecord): boolean =>
    list === 'notContactedFirst' ? !c.contactedFirst : list === 'unresolved' ? !c.resolved : gradeCounts(c.satisfaction, profile.satisfactionGrades) === 'unsatisfied';
  const out: MonthListRow[] = [];
  for (const r of rows) {
    const inMonth = (r.callbacks ?? []).filter((c) => c.reached && Date.parse(c.at) >= start.getTime() && Date.parse(c.at) < end.getTime());
    const hit = [...inMonth].reverse().find(matches);
    if (hit) out.push(row(r, [r.main_unit_id, ...r.co_unit_ids].filter((u): u is string => !!u), hit));
  }
  return out;
}
