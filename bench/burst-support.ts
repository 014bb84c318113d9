/**
 * A deadline burst on a sandbox service (issue 9), shared by `bench/scale.ts` (how long) and
 * `bench/profile-throughput.ts --burst=N` (where the CPU goes): N work orders created at one
 * sandbox instant, the clock moved to just before their sign deadline (the urges on the way
 * fire and settle first), then past it; the burst is over when every escalation is fully
 * recorded (timeline `escalated`, read model `overdue`, supervision record, notification rows).
 */
import type { Pool } from 'pg';

/**
 * The sandbox start of a burst service: Monday 20:00 in Beijing, after hours. Every work order
 * created that evening counts its deadlines from Tuesday's opening, so all of them (and their
 * urge points) fall at one instant — the burst ("a deadline counted from the next
 * opening puts every work order created after hours on the same instant"). Created in office
 * hours instead, deadlines would keep the millisecond of each creation and the sandbox clock
 * would step through them one instant at a time (timers/manualStepper.ts), which measures the
 * latency of one escalation a thousand times, not a burst.
 */
export const BURST_SANDBOX_START = '2026-03-02T20:00:00+08:00';
import { Http, seedWorkOrders, sleep, waitForRows } from './scale-support';

export interface BurstContext {
  http: Http;
  pool: Pool;
  temporalAddress: string;
  adminToken: string;
  unitIds: string[];
}

export interface PreparedBurst {
  ids: string[];
  /** Earliest and latest sign deadline (epoch ms, sandbox time). */
  first: number;
  deadline: number;
  /** Seconds the seeding took (starts until every first state is recorded). */
  seeded: number;
}

export interface BurstResult {
  /** Milliseconds from the clock move to the last escalation fully recorded (NaN: not within the limit). */
  elapsed: number;
  /** Milliseconds until the clock move was answered (it answers once everything settled, or 503 after 30 s quiet). */
  advanced: number;
  escalations: number;
  /** The counts at the end (for an incomplete burst). */
  last: Record<string, string>;
}

async function clockNow(ctx: BurstContext): Promise<number> {
  return Date.parse((await ctx.http.request('GET', '/health')).body.now);
}

/**
 * Moves the sandbox clock to `to` (epoch ms). The service answers 503 CLOCK_NOT_SETTLED when the
 * work at one instant is not done within its 30 s; the clock then stops there, so ask again until
 * it reaches the target (bounded by `maxSeconds`).
 */
export async function advanceClockTo(ctx: BurstContext, to: number, maxSeconds = 900): Promise<void> {
  const until = performance.now() + maxSeconds * 1000;
  for (;;) {
    const r = await ctx.http.request('POST', '/admin/clock/advance', ctx.adminToken, { to: new Date(to).toISOString() }, 600_000);
    if (r.status === 200 || r.status === 204) return;
    if (r.status === 400 && (await clockNow(ctx)) >= to) return;
    if (r.status !== 503 || performance.now() > until) throw new Error(`clock advance: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** Until the timeline and the notification rows stop growing (3 quiet seconds in a row). */
export async function settled(pool: Pool, maxSeconds: number): Promise<void> {
  let last = -1;
  let stable = 0;
  const until = performance.now() + maxSeconds * 1000;
  while (stable < 3 && performance.now() < until) {
    const { rows } = await pool.query<{ n: string }>('SELECT (SELECT count(*) FROM notifications) + (SELECT count(*) FROM work_order_events) AS n');
    const n = Number(rows[0].n);
    stable = n === last ? stable + 1 : 0;
    last = n;
    await sleep(1000);
  }
}

/**
 * The sandbox instant to seed a burst at: `now` when it is after hours in Beijing (20:00–07:59),
 * otherwise that day's 20:00. A second burst in the same run (`--bursts=1000,3000`) starts in the
 * office hours the first one moved the clock to: seeded then, its deadlines kept each creation's
 * second and the clock stepped through them one instant at a time, which is not a burst.
 */
export function afterHours(now: number): number {
  const beijingHour = new Date(now + 8 * 3_600_000).getUTCHours();
  if (beijingHour >= 20 || beijingHour < 8) return now;
  const day = Math.floor((now + 8 * 3_600_000) / 86_400_000) * 86_400_000;
  return day + 20 * 3_600_000 - 8 * 3_600_000;
}

/** Seeds `n` work orders after hours (see {@link afterHours}) and moves the clock to a minute before their sign deadlines. */
export async function prepareBurst(ctx: BurstContext, n: number, label: string): Promise<PreparedBurst> {
  const evening = afterHours(await clockNow(ctx));
  if (evening > (await clockNow(ctx))) {
    // What falls due on the way (earlier bursts' later deadlines) is stepped through and settled first.
    await advanceClockTo(ctx, evening);
    await settled(ctx.pool, 600);
  }
  const now = new Date(await clockNow(ctx));
  const t0 = performance.now();
  const ids = await seedWorkOrders(ctx.pool, ctx.temporalAddress, n, { unitIds: ctx.unitIds, now, label, concurrency: 128 });
  await waitForRows(ctx.pool, 'SELECT count(*) AS n FROM work_orders WHERE id = ANY($1)', [ids], n, 1800);
  const seeded = (performance.now() - t0) / 1000;
  const { rows } = await ctx.pool.query<{ lo: Date; hi: Date }>(
    'SELECT min(sign_deadline) AS lo, max(sign_deadline) AS hi FROM work_orders WHERE id = ANY($1)',
    [ids],
  );
  // With the manual clock all share one instant; should the clock have moved while seeding,
  // the spread is printed and one clock move still crosses all of them.
  const first = rows[0].lo.getTime();
  const deadline = rows[0].hi.getTime();
  // Everything before the deadlines (urges) first, and let it settle.
  await advanceClockTo(ctx, first - 60_000);
  await settled(ctx.pool, 600);
  return { ids, first, deadline, seeded };
}

/** Moves the clock past the deadlines; resolves when every escalation is fully recorded. */
export async function runBurst(ctx: BurstContext, p: PreparedBurst, maxSeconds = 900): Promise<BurstResult> {
  const n = p.ids.length;
  const t0 = performance.now();
  let advanced = NaN;
  const moving = advanceClockTo(ctx, p.deadline + 120_000, maxSeconds).then(() => {
    advanced = performance.now() - t0;
  });
  moving.catch(() => undefined);
  const check = `SELECT
      (SELECT count(*) FROM work_orders WHERE id = ANY($1) AND overdue) AS overdue,
      (SELECT count(DISTINCT work_order_id) FROM work_order_events WHERE work_order_id = ANY($1) AND type = 'escalated' AND at >= $2) AS escalated,
      (SELECT count(DISTINCT work_order_id) FROM supervision_records WHERE work_order_id = ANY($1) AND opened_at >= $2) AS supervised,
      (SELECT count(DISTINCT work_order_id) FROM notifications WHERE work_order_id = ANY($1) AND kind = 'escalation' AND created_at >= $2) AS notified,
      (SELECT count(*) FROM work_order_events WHERE work_order_id = ANY($1) AND type = 'escalated' AND at >= $2) AS escalations`;
  let last: Record<string, string> = {};
  let elapsed = NaN;
  const until = t0 + maxSeconds * 1000;
  // A cheap count first (the full check over every id, every 50 ms, was a good part of
  // PostgreSQL's CPU in the burst's own profile); the outbox writes all four in one transaction.
  // The gate counts work orders, not records: a work order with a co-unit opens two, and a
  // gate on records passed half-way, after which the full check ran every poll (2.2 ms of
  // PostgreSQL's CPU per work order in a 4 000 burst, 2026-12-04, as much as the engine's
  // writes). It reads the index of open 督办 records (a burst's are all open), every 50 ms or 1 %
  // of the time so far, whichever is longer.
  const gate = 'SELECT count(DISTINCT work_order_id) AS n FROM supervision_records WHERE opened_at >= $1 AND closed_at IS NULL';
  const pause = () => sleep(Math.max(50, (performance.now() - t0) / 100));
  while (performance.now() < until) {
    const opened = Number((await ctx.pool.query<{ n: string }>(gate, [new Date(p.first)])).rows[0].n);
    if (opened < n) {
      await pause();
      continue;
    }
    last = (await ctx.pool.query(check, [p.ids, new Date(p.first)])).rows[0];
    if (['overdue', 'escalated', 'supervised', 'notified'].every((k) => Number(last[k]) >= n)) {
      elapsed = performance.now() - t0;
      break;
    }
    await pause();
  }
  if (!Number.isFinite(elapsed)) last = (await ctx.pool.query(check, [p.ids, new Date(p.first)])).rows[0];
  await moving.catch(() => undefined);
  return { elapsed, advanced, escalations: Number(last.escalations), last };
}

/**
 * The worker's sticky-cache counters from the service's `/metrics` (the SDK core's own, beside
 * ours): hits, misses (a task whose run was not cached: its whole history replayed) and forced
 * evictions. Read before and after a burst to tell a burst the cache held from one it replayed.
 */
export async function workerCacheCounters(ctx: Pick<BurstContext, 'http' | 'adminToken'>): Promise<Record<string, number>> {
  const r = await ctx.http.request('GET', '/metrics', ctx.adminToken);
  const out: Record<string, number> = {};
  if (r.status !== 200 || typeof r.body !== 'string') return out;
  for (const line of r.body.split('\n')) {
    const m = /^temporal_(sticky_cache_[a-z_]+|workflow_task_replay_latency_count)(\{[^}]*\})? ([0-9.e+]+)$/.exec(line);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(m[3]);
  }
  return out;
}

/** The counters' growth from `a` to `b`, as `name +n` (gauges as their value at `b`). */
export function cacheCountersBetween(a: Record<string, number>, b: Record<string, number>): string {
  return Object.keys(b)
    .sort()
    .map((k) => (k === 'sticky_cache_size' ? `${k} ${b[k]}` : `${k} +${b[k] - (a[k] ?? 0)}`))
    .join(', ');
}
