/**
 * Each rate month by month (the supervisor's trend chart): the hotline's (or one unit's) rates
 * over consecutive months, from one read of the read model for the whole window, scored month by
 * month exactly as GET /reports/monthly scores each (the scoring picks what belongs to a month).
 */
import type { Pool } from 'pg';
import { rateNames, scoreUnits, type RateName, type UnitScore } from '../../domain/scoring';
import type { WorkOrderState } from '../../workflows/messages';
import { currentProfile } from '../hotline/repository';
import { unitFacts } from './facts';
import { scoredEventsBetween } from './scoredEvents';
import { monthRange, participates } from './service';

export interface TrendMonth {
  month: string;
  /** Units taking part that month (of the one asked for: 0 or 1). */
  participating: number;
  rates: Record<RateName, number | null>;
}

/** The `count` months ending with `last` (`YYYY-MM`), oldest first. */
export function monthsEnding(last: string, count: number): string[] {
  const [y, m] = last.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1 - (count - 1 - i), 1)).toISOString().slice(0, 7));
}

/** Hotline-wide rates: Σ numerators / Σ denominators over the units (4 decimals). */
export function pooledRates(units: UnitScore[]): Record<RateName, number | null> {
  const sum = (f: (c: UnitScore['counts']) => number) => units.reduce((s, u) => s + f(u.counts), 0);
  const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
  const rated = sum((c) => c.rated);
  const rates: Record<RateName, number | null> = {
    onTimeSign: ratio(sum((c) => c.signedOnTime), sum((c) => c.signDue)),
    onTimeCompletion: ratio(sum((c) => c.completedOnTime), sum((c) => c.completionDue)),
    completion: ratio(sum((c) => c.completed), sum((c) => c.completionDue)),
    firstContact: ratio(sum((c) => c.contactedFirst), rated),
    resolution: ratio(sum((c) => c.resolved), rated),
    satisfaction: ratio(sum((c) => c.satisfied), rated),
  };
  return Object.fromEntries(rateNames.map((r) => [r, rates[r]])) as Record<RateName, number | null>;
}

export async function rateTrend(pool: Pool, months: string[], now: Date, unit?: string): Promise<TrendMonth[]> {
  const first = monthRange(months[0]);
  const last = monthRange(months[months.length - 1]);
  const yearStart = monthRange(`${months[0].slice(0, 4)}-01`).start;
  const [profile, rows, manualEvents] = await Promise.all([
    currentProfile(pool),
    pool.query<{ state: WorkOrderState }>(
      `SELECT state FROM work_orders
        WHERE first_dispatched_at IS NOT NULL AND first_dispatched_at < $2
          AND (closed_at IS NULL OR closed_at >= $1 OR first_dispatched_at >= $3)`,
      [first.start, last.end, yearStart],
    ),
    scoredEventsBetween(pool, first.start, last.end),
  ]);
  const facts = rows.rows.flatMap((r) => unitFacts(r.state)).filter((f) => !unit || f.unitId === unit);
  const events = manualEvents.filter((e) => !unit || e.unitId === unit);
  return months.map((month) => {
    const asOf = new Date(Math.min(now.getTime(), monthRange(month).end.getTime()));
    const scores = scoreUnits(month, facts, profile.scoring, { asOf: asOf.toISOString(), satisfactionGrades: profile.satisfactionGrades, manualEvents: events });
    const taking = scores.filter(participates);
    return { month, participating: taking.length, rates: pooledRates(taking) };
  });
}
