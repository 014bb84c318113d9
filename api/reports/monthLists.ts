/**
 * The month's work-order lists the regulations ask for: 未先联 / 未解决 / 不满意 (003 第五条(三)
 * 每月梳理分析未先行联系、未解决、不满意工单) and 延期后仍超期 (000 附件2 五.2 经延期办理而又超期未办结).
 * They are exactly the rows the month's scoring counted against a unit (the traced report), so
 * a list and the unit's score never disagree.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ScoreCause } from '../../domain/scoring';
import type { MonthlyReport } from './service';

export const monthListNames = ['notContactedFirst', 'unresolved', 'unsatisfied', 'overdueAfterExtension'] as const;
export type MonthListName = (typeof monthListNames)[number];

/** Whether one cause of a unit's score puts its work order on the list. */
const onList: Record<MonthListName, (c: ScoreCause) => boolean> = {
  notContactedFirst: (c) => c.kind === 'rate' && c.rate === 'firstContact',
  // Not resolved by the citizen's verdict (003's part credit, e.g. 参考备案, is not 未解决).
  unresolved: (c) => c.kind === 'rate' && c.rate === 'resolution' && !c.credit,
  unsatisfied: (c) => c.kind === 'event' && c.event === 'unsatisfied',
  overdueAfterExtension: (c) => c.kind === 'event' && c.event === 'overdueAfterExtension',
};

export interface MonthListRow {
  workOrderId: string;
  /** The units the work order counted against for this list (main, and co-units sharing it). */
  unitIds: string[];
  unitNames: string[];
  stage: string | null;
  category: string | null;
  summary: string | null;
  mainUnitId: string | null;
  createdAt: string | null;
  closedAt: string | null;
  completionDeadline: string | null;
  satisfaction: string | null;
}

export const monthListQuerySchema = z.object({
  unit: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * The work orders on `list` in a traced report, newest first; `unit` keeps those counted
 * against that unit. Every matching row (the caller pages).
 */
export async function monthList(pool: Pool, report: MonthlyReport, list: MonthListName, unit?: string): Promise<MonthListRow[]> {
  const units = new Map<string, Set<string>>();
  const nameOf = new Map(report.units.map((u) => [u.unitId, u.unitName ?? u.unitId]));
  for (const u of report.units) {
    if (unit && u.unitId !== unit) continue;
    for (const c of u.causes ?? []) {
      if (!onList[list](c) || !c.workOrderId) continue;
      const set = units.get(c.workOrderId) ?? new Set<string>();
      set.add(u.unitId);
      units.set(c.workOrderId, set);
    }
  }
  if (!units.size) return [];
  const { rows } = await pool.query<{
    id: string; stage: string; category: string; summary: string; main_unit_id: string | null; created_at: Date; closed_at: Date | null;
    completion_deadline: Date | null; satisfaction: string | null;
  }>(
    `SELECT id, stage, category, summary, main_unit_id, created_at, closed_at, completion_deadline,
            (SELECT c->>'satisfaction' FROM jsonb_array_elements(coalesce(state->'callbacks', '[]'::jsonb)) c
              WHERE (c->>'reached')::boolean ORDER BY c->>'at' DESC LIMIT 1) AS satisfaction
       FROM work_orders WHERE id = ANY ($1) ORDER BY created_at DESC, id DESC`,
    [[...units.keys()]],
  );
  return rows.map((r) => {
    const ids = [...(units.get(r.id) ?? [])].sort();
    return {
      workOrderId: r.id,
      unitIds: ids,
      unitNames: ids.map((id) => nameOf.get(id) ?? id),
      stage: r.stage,
      category: r.category,
      summary: r.summary,
      mainUnitId: r.main_unit_id,
      createdAt: r.created_at.toISOString(),
      closedAt: r.closed_at ? r.closed_at.toISOString() : null,
      completionDeadline: r.completion_deadline ? r.completion_deadline.toISOString() : null,
      satisfaction: r.satisfaction,
    };
  });
}
