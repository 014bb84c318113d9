/**
 * PostgreSQL work per operation (issue 9): `npm run bench:pg [-- --create=120 --clients=8]`.
 *
 * Runs the service as `npm start` does (a child process, embedded PostgreSQL, durable: fsync and
 * synchronous_commit as shipped) in sandbox mode (a manual clock, so deadlines can be crossed on
 * demand), with `pg_stat_statements` loaded (the bench sets `shared_preload_libraries` with
 * ALTER SYSTEM and restarts the service once: nothing in the product changes). It then drives,
 * through HTTP:
 * - `create`: `--create` work orders (`POST /tickets`) with `--clients` callers;
 * - `sign` and `contact`: on the first half of them;
 * - `escalate`: the clock crosses the sign deadline of the other half (unsigned), and the phase
 *   lasts until every one of them has its escalation recorded and PostgreSQL is quiet;
 * and prints for each phase, per operation (per work order for `escalate`):
 * - statements (= round trips: the `pg` driver sends each query, with its parameters, as one
 *   round trip), rows and execution time, split by who issues them: the engine's persistence
 *   (`engine_*` tables, engine/persistence), the outbox activity (the timeline, read-model,
 *   supervision and notification writes of activities/), transaction control (BEGIN/COMMIT),
 *   and the API's own queries (the rest); then the most frequent statements;
 * - transactions committed (`pg_stat_database.xact_commit`, read-only ones included), WAL
 *   records, bytes and WAL fsyncs (`pg_stat_io`);
 * - CPU of PostgreSQL's processes and of the service's Node process (all threads), from /proc.
 * Before the phases: the machine's limits in the same run (PostgreSQL single-row commits/s at 32
 * clients, the API's bare authenticated GET/s) and an idle baseline (statements/s with no load).
 *
 * Figures on a shared machine are noisy in time, not in counts: statements, commits and WAL per
 * operation are exact; CPU per operation is what `npm run bench:profile` splits further.
 */
import { rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { Pool } from 'pg';
import { demoTokens } from '../db/seed/demo';
import { kaifengUnits } from '../db/seed/kaifengUnits';
import { Http, closedLoop, processTree, sandboxService, sleep, ticketCreator, type LoadResult } from './scale-support';
import { postgresCommitRate } from './machine-limits';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const createCount = option('create', 120);
const clients = option('clients', 8);
const limitSeconds = option('limitSeconds', 4);

const TICK = 100; // USER_HZ on Linux
const unitIds = kaifengUnits.filter((u) => u.id !== 'kf-000').map((u) => u.id);
const print = (line = '') => console.log(line);
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '—');

// ---- what is measured ----------------------------------------------------------------------------

/** Who issued a statement, from its text (each issuer's statements name its own tables). */
function issuer(query: string): 'engine' | 'outbox' | 'BEGIN/COMMIT' | 'api' | 'bench' {
  if (/pg_stat_|pg_catalog|ALTER SYSTEM|bench_commits|\bbench_/i.test(query)) return 'bench';
  if (/^\s*(BEGIN|COMMIT|ROLLBACK)/i.test(query)) return 'BEGIN/COMMIT';
  if (/\bengine_/.test(query)) return 'engine';
  // activities/index.ts: the outbox's writes and its webhook look-ups.
  if (
    /INSERT INTO (work_orders|work_order_events|notifications|supervision_records)\b|UPDATE (notifications|supervision_records)\b|webhook_url IS NOT NULL|recordset/i.test(
      query,
    )
  )
    return 'outbox';
  return 'api';
}

interface Statement {
  query: string;
  calls: number;
  rows: number;
  ms: number;
  walBytes: number;
}

interface Counters {
  commits: number;
  rollbacks: number;
  walRecords: number;
  walFpi: number;
  walBytes: number;
  walFsyncs: number;
  cpuPostgres: number;
  cpuService: number;
  cpu?: CpuSample;
  /** Row operations per table (`engine.engine_runs`, a TOAST table as `work_orders (TOAST)`). */
  tables?: Map<string, TableRows>;
}

interface TableRows {
  inserted: number;
  updated: number;
  hot: number;
  deleted: number;
}

/** Row operations per table of the service's schemas, TOAST tables named after their owner. */
async function tableRows(pool: Pool): Promise<Map<string, TableRows>> {
  const r = await pool.query<{ name: string; ins: string; upd: string; hot: string; del: string }>(
    `SELECT CASE WHEN s.schemaname = 'pg_toast' THEN o.relname || ' (TOAST)' ELSE s.schemaname || '.' || s.relname END AS name,
            s.n_tup_ins::text AS ins, s.n_tup_upd::text AS upd, s.n_tup_hot_upd::text AS hot, s.n_tup_del::text AS del
       FROM pg_stat_all_tables s
       LEFT JOIN pg_class o ON o.reltoastrelid = s.relid
      WHERE s.schemaname IN ('public', 'engine') OR (s.schemaname = 'pg_toast' AND o.relnamespace IN (
        SELECT oid FROM pg_namespace WHERE nspname IN ('public', 'engine')))`,
  );
  return new Map(r.rows.map((row) => [row.name, { inserted: Number(row.ins), updated: Number(row.upd), hot: Number(row.hot), deleted: Number(row.del) }]));
}

/**
 * CPU seconds (utime + stime) per PostgreSQL process, the postmaster's reaped children
 * (`cutime + cstime`: backends whose connection closed), and the service's Node process.
 */
interface CpuSample {
  postgres: Map<number, number>;
  reaped: number;
  service: number;
}

function cpuSample(root: number): CpuSample {
  const sample: CpuSample = { postgres: new Map(), reaped: 0, service: 0 };
  const stat = (pid: number | string) => {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return {
      name: text.slice(text.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      own: (Number(fields[11]) + Number(fields[12])) / TICK,
      children: (Number(fields[13]) + Number(fields[14])) / TICK,
    };
  };
  const isPostgres = (name: string) => name.startsWith('postgres') || name.startsWith('pg_');
  for (const pid of processTree(root)) {
    try {
      const s = stat(pid);
      if (isPostgres(s.name)) {
        sample.postgres.set(pid, s.own);
        // The postmaster (its parent is not PostgreSQL) holds the CPU of its ended children.
        if (!isPostgres(stat(s.ppid).name)) sample.reaped += s.children;
      } else if (pid === root) sample.service = s.own;
      // (the embedded PostgreSQL's supervising Node process is idle; left out)
    } catch {
      // a process that ended meanwhile
    }
  }
  return sample;
}

/**
 * PostgreSQL CPU between two samples, exact across backends that ended in between: their whole
 * life arrives in the postmaster's reaped total, from which what they had used before is taken.
 */
function postgresCpuBetween(a: CpuSample, b: CpuSample): number {
  let cpu = b.reaped - a.reaped;
  for (const [pid, v] of b.postgres) cpu += v - (a.postgres.get(pid) ?? 0);
  for (const [pid, v] of a.postgres) if (!b.postgres.has(pid)) cpu -= v;
  return cpu;
}

async function counters(pool: Pool, root: number): Promise<Counters> {
  const db = await pool.query<{ c: string; r: string }>(
    'SELECT xact_commit::text AS c, xact_rollback::text AS r FROM pg_stat_database WHERE datname = current_database()',
  );
  const wal = await pool.query<{ rec: string; fpi: string; bytes: string }>('SELECT wal_records::text AS rec, wal_fpi::text AS fpi, wal_bytes::text AS bytes FROM pg_stat_wal');
  // PostgreSQL 18 counts WAL fsyncs in pg_stat_io; older ones in pg_stat_wal.
  const fsyncs = await pool
    .query<{ n: string }>(`SELECT COALESCE(sum(fsyncs), 0)::text AS n FROM pg_stat_io WHERE object = 'wal'`)
    .then((r) => Number(r.rows[0].n))
    .catch(() => NaN);
  const c = cpuSample(root);
  return {
    tables: await tableRows(pool),
    cpu: c,
    commits: Number(db.rows[0].c),
    rollbacks: Number(db.rows[0].r),
    walRecords: Number(wal.rows[0].rec),
    walFpi: Number(wal.rows[0].fpi),
    walBytes: Number(wal.rows[0].bytes),
    walFsyncs: fsyncs,
    cpuPostgres: 0,
    cpuService: c.service,
  };
}

async function statements(pool: Pool): Promise<Statement[]> {
  const r = await pool.query<{ query: string; calls: string; rows: string; ms: number; wal: string }>(
    `SELECT query, calls::text AS calls, rows::text AS rows, total_exec_time AS ms, wal_bytes::text AS wal
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel`,
  );
  return r.rows
    .map((row) => ({ query: row.query, calls: Number(row.calls), rows: Number(row.rows), ms: row.ms, walBytes: Number(row.wal) }))
    .filter((s) => issuer(s.query) !== 'bench');
}

interface PhaseResult {
  name: string;
  ops: number;
  load?: LoadResult;
  seconds: number;
  statements: Statement[];
  delta: Counters;
}

/** Resets the statistics, runs `run`, lets PostgreSQL go quiet, then reads what `ops` operations cost. */
async function phase(pool: Pool, root: number, name: string, ops: () => number, run: () => Promise<LoadResult | void>): Promise<PhaseResult> {
  await pool.query('SELECT pg_stat_statements_reset()');
  const before = await counters(pool, root);
  const t0 = performance.now();
  const load = (await run()) ?? undefined;
  await quiet(pool);
  const seconds = (performance.now() - t0) / 1000;
  // CPU now (the wait below would add the idle background); the statistics after it: backends
  // flush their cumulative statistics (commits, WAL) at most every 10 s when idle.
  const cpuAtEnd = cpuSample(root);
  await sleep(11_000);
  const after = { ...(await counters(pool, root)), cpu: cpuAtEnd, cpuService: cpuAtEnd.service };
  const { cpu: cpuBefore, tables: tablesBefore, ...b } = before;
  const { cpu: cpuAfter, tables: tablesAfter, ...a } = after;
  const delta = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - b[k as keyof typeof b]])) as unknown as Counters;
  delta.tables = new Map(
    [...tablesAfter!].map(([name, t]) => {
      const z = tablesBefore!.get(name) ?? { inserted: 0, updated: 0, hot: 0, deleted: 0 };
      return [name, { inserted: t.inserted - z.inserted, updated: t.updated - z.updated, hot: t.hot - z.hot, deleted: t.deleted - z.deleted }];
    }),
  );
  delta.cpuPostgres = postgresCpuBetween(cpuBefore!, cpuAfter!);
  // The bench's own reads (counters, quiet) are read-only transactions too: take them out.
  const own = await pool.query<{ n: string }>(
    `SELECT COALESCE(sum(calls), 0)::text AS n FROM pg_stat_statements WHERE query ~ 'pg_stat_|pg_catalog|bench_'`,
  );
  delta.commits -= Number(own.rows[0].n);
  return { name, ops: ops(), load, seconds, statements: await statements(pool), delta };
}

/** Waits until no statement but the bench's own ran for 1.5 s (bounded). */
async function quiet(pool: Pool, maxSeconds = 120): Promise<void> {
  const until = performance.now() + maxSeconds * 1000;
  let last = -1;
  let stable = 0;
  while (performance.now() < until && stable < 3) {
    const r = await pool.query<{ n: string }>(
      `SELECT COALESCE(sum(calls), 0)::text AS n FROM pg_stat_statements WHERE NOT (query ~ 'pg_stat_|pg_catalog|bench_')`,
    );
    const n = Number(r.rows[0].n);
    stable = n === last ? stable + 1 : 0;
    last = n;
    await sleep(500);
  }
}

function report(p: PhaseResult, limits: string): void {
  const per = (n: number) => n / p.ops;
  print('');
  print(
    `=== ${p.name}: ${p.ops} ops${p.load ? `, ${f1(p.load.rate)}/s, p50 ${f0(p.load.p50)} ms, p99 ${f0(p.load.p99)} ms, errors ${p.load.errors}` : `, ${f1(p.seconds)} s`}  [${limits}]`,
  );
  const groups = new Map<string, { calls: number; rows: number; ms: number; wal: number }>();
  for (const s of p.statements) {
    const g = groups.get(issuer(s.query)) ?? { calls: 0, rows: 0, ms: 0, wal: 0 };
    g.calls += s.calls;
    g.rows += s.rows;
    g.ms += s.ms;
    g.wal += s.walBytes;
    groups.set(issuer(s.query), g);
  }
  const total = [...groups.values()].reduce((a, g) => ({ calls: a.calls + g.calls, rows: a.rows + g.rows, ms: a.ms + g.ms, wal: a.wal + g.wal }), { calls: 0, rows: 0, ms: 0, wal: 0 });
  print('  statements (= round trips) per op, by issuer:   statements     rows   exec ms   WAL bytes');
  for (const [name, g] of [...[...groups].sort((a, b) => b[1].calls - a[1].calls), ['total', total] as const]) {
    print(`    ${name.padEnd(44)} ${f1(per(g.calls)).padStart(10)} ${f1(per(g.rows)).padStart(8)} ${per(g.ms).toFixed(2).padStart(9)} ${f0(per(g.wal)).padStart(11)}`);
  }
  const d = p.delta;
  print(
    `  per op: ${f1(per(d.commits))} transactions committed (read-only included), ${f1(per(d.walRecords))} WAL records (${f1(per(d.walFpi))} full-page images), ` +
      `${f0(per(d.walBytes))} WAL bytes, ${f1(per(d.walFsyncs))} WAL fsyncs`,
  );
  print(`  CPU per op: PostgreSQL ${f1(per(d.cpuPostgres * 1000))} ms, service (Node, all threads) ${f1(per(d.cpuService * 1000))} ms, total ${f1(per((d.cpuPostgres + d.cpuService) * 1000))} ms`);
  const touched = [...(d.tables ?? [])].filter(([, t]) => t.inserted + t.updated + t.deleted > 0).sort((x, y) => x[0].localeCompare(y[0]));
  if (touched.length) {
    print('  rows per op, by table:                         inserted  updated  (HOT)  deleted');
    for (const [name, t] of touched) {
      print(`    ${name.padEnd(44)} ${f1(per(t.inserted)).padStart(8)} ${f1(per(t.updated)).padStart(8)} ${f1(per(t.hot)).padStart(6)} ${f1(per(t.deleted)).padStart(8)}`);
    }
  }
  print('  most frequent statements (calls per op, issuer, text):');
  for (const s of [...p.statements].sort((a, b) => b.calls - a.calls).slice(0, 14)) {
    print(`    ${f1(per(s.calls)).padStart(6)}  ${issuer(s.query).padEnd(12)} ${s.query.replace(/\s+/g, ' ').slice(0, 130)}`);
  }
}

// ---- run ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { service, base } = await sandboxService('hotline-pgstat-');
  let pool: Pool | undefined;
  const results: PhaseResult[] = [];
  print(`bench:pg ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  try {
    await service.start();
    // pg_stat_statements must be preloaded: set it for this throw-away cluster and restart.
    const setup = new Pool({ connectionString: service.databaseUrl(), max: 1 });
    await setup.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await setup.query(`ALTER SYSTEM SET pg_stat_statements.max = 10000`);
    await setup.end();
    await service.stop();
    await service.start();
    pool = new Pool({ connectionString: service.databaseUrl(), max: 2 });
    pool.on('error', () => undefined);
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const settings = await pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit','wal_sync_method','commit_delay','full_page_writes','wal_level','shared_buffers','wal_buffers','max_wal_size','checkpoint_timeout') ORDER BY name`,
    );
    print(`PostgreSQL settings: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(', ')}`);

    const tokens = demoTokens(service.demoSecret());
    const http = new Http(service.url, 256);
    const pgRate = await postgresCommitRate(service.databaseUrl(), 32, limitSeconds);
    const get = await closedLoop(1e9, 32, limitSeconds, () => http.request('GET', '/units/kf-001', tokens.center));
    const limits = `limits in this run: PostgreSQL ${f0(pgRate)} commits/s, bare GET ${f0(get.rate)}/s`;
    print(`machine limits (same run): PostgreSQL single-row commits, 32 clients: ${f0(pgRate)}/s; API bare authenticated GET /units/:id, 32 clients: ${f0(get.rate)}/s`);

    // Each phase printed as soon as it is measured (a later one may fail on a loaded machine).
    const done = (r: PhaseResult) => {
      results.push(r);
      report(r, limits);
    };
    const { owner, create } = ticketCreator(http, tokens.center, unitIds, 'pg');
    await closedLoop(24, clients, 120, create(0)); // warm-up (JIT, pools, caches, the bundle)
    await quiet(pool);
    await sleep(11_000); // the warm-up's statistics flushed before the idle baseline
    const warm = new Set(owner.keys());
    const ids = () => [...owner.keys()].filter((id) => !warm.has(id));

    const idle = await phase(pool, service.pid, 'idle (3 s, no load; per second)', () => 3, async () => {
      await sleep(3000);
    });
    done(idle);
    done(await phase(pool, service.pid, 'create', () => ids().length, () => closedLoop(createCount, clients, 300, create(1000))));
    const created = ids();
    const half = created.slice(0, Math.ceil(created.length / 2));
    const rest = created.slice(half.length);
    done(
      await phase(pool, service.pid, 'sign', () => half.length, () =>
        closedLoop(half.length, clients * 2, 300, (i) => http.request('POST', `/tickets/${half[i]}/sign`, tokens.units[owner.get(half[i])!], {})),
      ),
    );
    done(
      await phase(pool, service.pid, 'contact', () => half.length, () =>
        closedLoop(half.length, clients * 2, 300, (i) =>
          http.request('POST', `/tickets/${half[i]}/contact`, tokens.units[owner.get(half[i])!], { reached: true, person: '王五' }),
        ),
      ),
    );

    // Escalation: the unsigned half's sign deadline (all at one instant) is crossed.
    // To an instant, asked again while the clock is still settling what fell due (503 on a loaded machine).
    const advance = async (byMs: number) => {
      const to = new Date((await clockNow()) + Math.max(1000, byMs)).toISOString();
      for (let attempt = 0; ; attempt++) {
        const r = await http.request('POST', '/admin/clock/advance', tokens.admin, { to }, 600_000);
        if (r.status === 200 || r.status === 204) return;
        if (r.status !== 503 || attempt >= 20) throw new Error(`clock advance: ${r.status} ${JSON.stringify(r.body)}`);
        await sleep(2000);
      }
    };
    const clockNow = async () => Date.parse((await http.request('GET', '/health')).body.now);
    const { rows } = await pool.query<{ bench_lo: Date; bench_hi: Date }>('SELECT min(sign_deadline) AS bench_lo, max(sign_deadline) AS bench_hi FROM work_orders WHERE id = ANY($1)', [rest]);
    // Urges before the deadline first, unmeasured.
    await advance(rows[0].bench_lo.getTime() - 60_000 - (await clockNow()));
    await quiet(pool);
    // A missed deadline is urged (催办) or escalated (督办), as the profile's ladder says.
    const escalated = `SELECT count(DISTINCT work_order_id) AS bench_n FROM work_order_events WHERE work_order_id = ANY($1) AND type IN ('urged', 'escalated') AND (detail->>'dueAt')::timestamptz >= $2`;
    done(
      await phase(pool, service.pid, 'escalate (per work order whose deadline passed)', () => rest.length, async () => {
        await advance(rows[0].bench_hi.getTime() - rows[0].bench_lo.getTime() + 120_000);
        const until = performance.now() + 120_000;
        while (performance.now() < until) {
          const r = await pool!.query<{ bench_n: string }>(escalated, [rest, rows[0].bench_lo]);
          if (Number(r.rows[0].bench_n) >= rest.length) break;
          await sleep(200);
        }
      }),
    );
    const events = await pool.query<{ bench_n: string }>(
      `SELECT count(*) AS bench_n FROM work_order_events WHERE work_order_id = ANY($1) AND type IN ('urged', 'escalated') AND (detail->>'dueAt')::timestamptz >= $2`,
      [rest, rows[0].bench_lo],
    );
    const types = await pool.query<{ bench_type: string; n: string }>(
      'SELECT type AS bench_type, count(*) AS n FROM work_order_events WHERE work_order_id = ANY($1) GROUP BY type ORDER BY type',
      [rest],
    );
    const sizes = await pool.query<{ bench_state: number; vis: number; hist: number; wo: number; state_raw: number; hist_raw: number; hist_max: number; wo_raw: number }>(
      `SELECT (SELECT avg(pg_column_size(state))::int FROM engine.engine_runs) AS bench_state,
              (SELECT avg(pg_column_size(record))::int FROM engine.engine_visibility) AS vis,
              (SELECT avg(pg_column_size(data))::int FROM engine.engine_history) AS hist,
              (SELECT avg(pg_column_size(state))::int FROM work_orders) AS wo,
              (SELECT avg(octet_length(state::text))::int FROM engine.engine_runs) AS state_raw,
              (SELECT avg(octet_length(data))::int FROM engine.engine_history) AS hist_raw,
              (SELECT max(octet_length(data))::int FROM engine.engine_history) AS hist_max,
              (SELECT avg(octet_length(state::text))::int FROM work_orders) AS wo_raw`,
    );
    http.close();

    print(`\nafter the phases — load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const z = sizes.rows[0];
    print(
      `\naverage stored sizes (bytes, after compression): engine run snapshot ${z.bench_state}, visibility record ${z.vis}, ` +
        `history row ${z.hist}, work_orders.state ${z.wo}; as written (text or bytes): engine run snapshot ${z.state_raw}, history row ${z.hist_raw} ` +
        `(largest ${z.hist_max}), work_orders.state ${z.wo_raw}`,
    );
    print(`\n(escalate: ${events.rows[0].bench_n} missed-deadline urges/escalations recorded for ${rest.length} work orders; their timeline: ${types.rows.map((t) => `${t.bench_type} ${t.n}`).join(', ')})`);
  } finally {
    await pool?.end().catch(() => undefined);
    await service.stop();
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
