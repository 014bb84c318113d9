/**
 * Running work orders learn a year's official schedule: every open work order whose provisional
 * deadlines depend on that year gets a `calendarUpdate` (workflows/messages.ts) with the year's
 * dates; the workflow recomputes those deadlines only and records who imported what. The update
 * id is `calendar/<importId>`, so sending again (a retry, a restart) applies it once.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { chinaUtcOffsetMinutes } from '../../domain/calendar';
import { buildCalendarData, libraryCoversYear } from '../../domain/holidays';
import type { Actor } from '../../domain/workorder';
import { calendarUpdate, type CalendarUpdateResult, type Clock } from '../../workflows/messages';
import { fromWorkflowError } from '../http/errors';
import { getSettings, listExceptions } from '../hotline/repository';
import { listOfficialYears } from './repository';

/** What a propagation did. */
export interface PropagationReport {
  /** Work orders whose deadlines moved, with each old and new deadline. */
  updated: CalendarUpdateResult[];
  /** Work orders that depended on the year but whose deadlines stayed (now official). */
  confirmed: string[];
  /** Work orders that could not be reached (closed meanwhile are not listed); send again to retry. */
  failed: { workOrderId: string; error: string }[];
}

const yearOf = (iso: string) => new Date(Date.parse(iso) + chinaUtcOffsetMinutes * 60_000).getUTCFullYear();
const open = (c: Clock) => c.status === 'pending';

/** Open work orders with a pending provisional deadline whose span touches `year`. */
export async function workOrdersDependingOn(pool: Pool, year: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string; clocks: Clock[] }>(
    `SELECT id, state->'clocks' AS clocks FROM work_orders
      WHERE closed_at IS NULL AND coalesce((state->>'provisional')::boolean, false) ORDER BY id`,
  );
  const depends = (c: Clock) =>
    open(c) && c.provisional === true && (c.provisionalYears ? c.provisionalYears.includes(year) : yearOf(c.start) <= year && year <= yearOf(c.deadline));
  return rows.filter((r) => r.clocks.some(depends)).map((r) => r.id);
}

/**
 * Sends `year`'s schedule (the official import or the library's, with the hotline's exceptions)
 * to every open work order depending on it, a few at a time.
 */
export async function propagateYear(deps: {
  temporal: Client;
  pool: Pool;
  year: number;
  source: string;
  importId: string;
  actor: Actor;
  /** Deadline of one update (default 30 s). */
  timeoutMs?: number;
}): Promise<PropagationReport> {
  const { pool, year } = deps;
  const [settings, exceptions, official] = await Promise.all([getSettings(pool), listExceptions(pool), listOfficialYears(pool)]);
  const data = buildCalendarData({
    fromYear: year,
    toYear: year,
    official,
    ...(settings.officeHours ? { officeHours: settings.officeHours } : {}),
    exceptions: exceptions.map(({ date, kind, note }) => ({ date, kind, ...(note ? { note } : {}) })),
  });
  const ids = await workOrdersDependingOn(pool, year);
  const report: PropagationReport = { updated: [], confirmed: [], failed: [] };
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const workOrderId = id;
      try {
        const result = await deps.temporal.withDeadline(Date.now() + (deps.timeoutMs ?? 30_000), () =>
          deps.temporal.workflow.getHandle(workOrderId).executeUpdate(calendarUpdate, {
            args: [{ year, holidays: data.holidays, makeUpWorkdays: data.makeUpWorkdays, source: deps.source, importId: deps.importId, actor: deps.actor }],
            updateId: `calendar/${deps.importId}`,
          }),
        );
        if (result.changes.length) report.updated.push(result);
        else report.confirmed.push(workOrderId);
      } catch (error) {
        const mapped = fromWorkflowError(error);
        if (mapped?.status === 404 || mapped?.type === 'WORK_ORDER_CLOSED') continue; // closed meanwhile
        report.failed.push({ workOrderId, error: mapped?.message ?? String((error as Error)?.message ?? error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, ids.length) }, worker));
  report.updated.sort((a, b) => a.workOrderId.localeCompare(b.workOrderId));
  return report;
}

/**
 * At start: every year (from last year to three ahead) that is now official — imported, or
 * carried by a newer `chinese-days` — is sent to the open work orders still provisional on it.
 * This is how a library update reaches running work orders, and how work orders an import could
 * not reach (`failed`) are caught up. Idempotent (same update id per year and version).
 */
export async function catchUpCalendar(deps: { temporal: Client; pool: Pool; now: Date }): Promise<Record<number, PropagationReport>> {
  const official = await listOfficialYears(deps.pool);
  const year = yearOf(deps.now.toISOString());
  const reports: Record<number, PropagationReport> = {};
  for (let y = year - 1; y <= year + 3; y++) {
    const imported = official.find((o) => o.year === y);
    const source = imported ? imported.source : libraryCoversYear(y) ? 'library' : undefined;
    if (!source || !(await workOrdersDependingOn(deps.pool, y)).length) continue;
    reports[y] = await propagateYear({
      temporal: deps.temporal,
      pool: deps.pool,
      year: y,
      source,
      importId: imported ? `${y}/${imported.version}` : `${y}/library`,
      actor: { userId: 'system', role: 'system' },
    });
  }
  return reports;
}
