/**
 * The supervisor's dashboard (issue 14): for a period, the work orders taken in it by stage; now,
 * the overdue ones and those due within 4 hours; the open 督办 records by method. Each figure
 * comes with the list query behind it, and the overdue / due-soon figures are counted by the very
 * query the work list runs (listTickets), so a number and its list always agree.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { chinaUtcOffsetMinutes } from '../../domain/calendar';
import type { AuthUser } from '../http/auth';
import { listTickets } from '../tickets/repository';
import { monthRange } from './service';
import { openSupervisionsByMethod, type SupervisionMethod } from './supervisions';

export const periodSchema = z
  .union([z.enum(['today', 'week', 'month']), z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "'today', 'week', 'month' or a month 'YYYY-MM'")])
  .default('today');

const dueSoonMs = 4 * 3_600_000;
const offsetMs = chinaUtcOffsetMinutes * 60_000;

/** [from, to) of a period in China time: today, this week (from Monday), this month, or a month. */
export function periodRange(period: string, now: Date): { from: Date; to: Date } {
  const local = new Date(now.getTime() + offsetMs); // its UTC fields are the China wall clock
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - offsetMs;
  if (period === 'today') return { from: new Date(midnight), to: new Date(midnight + 86_400_000) };
  if (period === 'week') {
    const sinceMonday = (local.getUTCDay() + 6) % 7;
    const from = midnight - sinceMonday * 86_400_000;
    return { from: new Date(from), to: new Date(from + 7 * 86_400_000) };
  }
  const month = period === 'month' ? local.toISOString().slice(0, 7) : period;
  const { start, end } = monthRange(month);
  return { from: start, to: end };
}

/** `2026-03-02T00:00:00+08:00`: an instant as a China-time ISO string (for list links). */
export function chinaIso(d: Date): string {
  return `${new Date(d.getTime() + offsetMs).toISOString().slice(0, 19)}+08:00`;
}

export interface Dashboard {
  period: string;
  from: string;
  to: string;
  now: string;
  /** Work orders taken (受理) in the period, by their stage now. */
  created: number;
  byStage: Record<string, number>;
  overdueNow: number;
  dueWithin4h: number;
  openSupervisionsByMethod: Record<SupervisionMethod, number>;
}

export async function dashboard(pool: Pool, user: AuthUser, period: string, now: Date): Promise<Dashboard> {
  const { from, to } = periodRange(period, now);
  const [stages, overdue, dueSoon, methods] = await Promise.all([
    pool.query<{ stage: string; n: string }>('SELECT stage, count(*) AS n FROM work_orders WHERE created_at >= $1 AND created_at < $2 GROUP BY stage', [from, to]),
    listTickets(pool, user, { overdue: true, page: 1, pageSize: 1 }, now),
    listTickets(pool, user, { dueWithin: dueSoonMs, page: 1, pageSize: 1 }, now),
    openSupervisionsByMethod(pool),
  ]);
  const byStage = Object.fromEntries(stages.rows.map((r) => [r.stage, Number(r.n)]));
  return {
    period,
    from: chinaIso(from),
    to: chinaIso(to),
    now: now.toISOString(),
    created: Object.values(byStage).reduce((s, n) => s + n, 0),
    byStage,
    overdueNow: overdue.total,
    dueWithin4h: dueSoon.total,
    openSupervisionsByMethod: methods,
  };
}
