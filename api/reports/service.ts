/**
 * Monthly rates and scores per unit under the hotline's current profile, from the read model.
 */
import type { Pool } from 'pg';
import { chinaUtcOffsetMinutes } from '../../domain/calendar';
import { UnitScore, scoreUnits } from '../../domain/scoring';
import type { WorkOrderState } from '../../workflows/messages';
import { currentProfile } from '../hotline/repository';
import { unitFacts } from './facts';
import { scoredEventsBetween } from './scoredEvents';

/** UTC instants of the local (UTC+8) month `YYYY-MM`: [start, end). */
export function monthRange(month: string): { start: Date; end: Date } {
  const [year, m] = month.split('-').map(Number);
  const offset = chinaUtcOffsetMinutes * 60_000;
  return { start: new Date(Date.UTC(year, m - 1, 1) - offset), end: new Date(Date.UTC(year, m, 1) - offset) };
}

export interface MonthlyReport {
  month: string;
  profileId: string;
  scheme: string;
  asOf: string;
  /** Best score first; `rank` counts only the units taking part (ties share the better rank). */
  units: (UnitScore & { unitName: string | null; participating: boolean; rank: number | null })[];
  /** Active units with no work in the month: 不参与考核, not ranked (issue 14). */
  unitsWithoutWork: { unitId: string; unitName: string }[];
}

/**
 * A unit takes part in the month's assessment when it received work in the month or something of
 * it was due, rated or entered against it then; a unit that only carries an old open work order
 * with nothing due would otherwise score full marks for doing nothing.
 */
export function participates(s: UnitScore): boolean {
  const c = s.counts;
  return s.volume > 0 || c.signDue + c.completionDue + c.rated + c.excluded > 0 || Object.values(c.events).some((n) => n > 0);
}

/**
 * Scores every unit with work in `month`. Work orders dispatched before the month end and not
 * closed before its start are considered; the scoring decides what was due in the month.
 */
export async function monthlyReport(pool: Pool, month: string, now: Date, options: { trace?: boolean } = {}): Promise<MonthlyReport> {
  const { start, end } = monthRange(month);
  // The year's earlier work orders too: 001's volume bonus counts over the year (四(四)4).
  const yearStart = monthRange(`${month.slice(0, 4)}-01`).start;
  const [profile, rows, names, manualEvents] = await Promise.all([
    currentProfile(pool),
    pool.query<{ state: WorkOrderState }>(
      `SELECT state FROM work_orders
        WHERE first_dispatched_at IS NOT NULL AND first_dispatched_at < $2
          AND (closed_at IS NULL OR closed_at >= $1 OR first_dispatched_at >= $3)`,
      [start, end, yearStart],
    ),
    pool.query<{ id: string; name: string; active: boolean }>('SELECT id, name, active FROM units ORDER BY id'),
    scoredEventsBetween(pool, start, end),
  ]);
  const facts = rows.rows.flatMap((r) => unitFacts(r.state));
  const asOf = new Date(Math.min(now.getTime(), end.getTime()));
  const scores = scoreUnits(month, facts, profile.scoring, {
    asOf: asOf.toISOString(),
    satisfactionGrades: profile.satisfactionGrades,
    manualEvents,
    trace: options.trace,
  });
  const nameOf = new Map(names.rows.map((r) => [r.id, r.name]));
  const taking = scores.filter(participates);
  const inReport = new Set(scores.map((s) => s.unitId));
  return {
    month,
    profileId: profile.id,
    scheme: profile.scoring.kind,
    asOf: asOf.toISOString(),
    units: scores.map((s) => {
      const participating = participates(s);
      const rank = participating ? 1 + taking.filter((o) => o.score > s.score).length : null;
      return { ...s, unitName: nameOf.get(s.unitId) ?? null, participating, rank };
    }),
    unitsWithoutWork: names.rows.filter((u) => u.active && !inReport.has(u.id)).map((u) => ({ unitId: u.id, unitName: u.name })),
  };
}
