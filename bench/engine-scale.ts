/**
 * The engine at a city's scale (issue 9), on PostgreSQL, beside the machine's own PostgreSQL
 * commit rate measured in the same run:
 * - seeding N work-order-shaped runs through the engine with a hand-written (raw gRPC) worker:
 *   start → workflow task → two deadline timers; a signal → workflow task → one timer canceled,
 *   one started (12 events per run); a share of them then completes (closed runs);
 * - restart: a fresh engine process on that database — time until it serves, time until a
 *   workflow task of a stored run comes back with its full history, its memory (PSS, V8 heap)
 *   beside an engine with an empty database, so memory per open run;
 * - PostgreSQL single-row commits/s (32 clients) in the same cluster, and the cluster's PSS.
 *
 * Restart is measured twice on the same data: start-up from the runs' mutable-state snapshots
 * (the default) and by replaying every history (`startEngine({ recovery: 'replay' })`, how the
 * engine started before), so the two are compared in one run.
 *
 * Run: npx ts-node --transpile-only bench/engine-scale.ts [runs=20000] [closedShare=0.2]
 * Environment: `ENGINE_SCALE_DATA=<dir>` keeps the PostgreSQL data there and, when it already
 * holds a seeded database, skips seeding (iterate on restart without seeding again);
 * `ENGINE_SCALE_PROF=<dir>` writes a CPU profile of each restart child there, `ENGINE_SCALE_HEAP=<dir>`
 * a heap snapshot after its start-up.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { Client as PgClient } from 'pg';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { startEngine } from '../engine';
import type { RecoveryMode } from '../engine/history/recovery';

const { CommandType } = temporal.api.enums.v1;
const RUNS = Number(process.argv[2] ?? 20_000);
const CLOSED_SHARE = Number(process.argv[3] ?? 0.2);
const CONCURRENCY = Number(process.env.ENGINE_SCALE_CALLERS ?? 64);
const QUEUE = 'scale-bench';

/** Proportional set size of one process, bytes (shared pages split among their users). */
function pssOf(pid: number | 'self'): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every descendant process of `root`. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) out.push(child), walk(child);
  };
  walk(root);
  return out;
}

const mib = (b: number) => (b / 1024 / 1024).toFixed(0);

async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

type Svc = Connection['workflowService'];

/** Polls one workflow task and answers it with `commands`. */
async function handleTask(svc: Svc, commands: (task: temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse) => temporal.api.command.v1.ICommand[]): Promise<void> {
  for (;;) {
    const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: QUEUE }, identity: 'bench' });
    if (!task.taskToken?.length) continue;
    try {
      await svc.respondWorkflowTaskCompleted({ taskToken: task.taskToken, commands: commands(task), identity: 'bench' });
    } catch (err) {
      // On a loaded machine a task can outlive its 10 s timeout: the engine schedules it again.
      if ((err as { code?: number }).code === 5 /* NOT_FOUND */) continue;
      throw err;
    }
    return;
  }
}

const timer = (id: string, ms: number): temporal.api.command.v1.ICommand => ({
  commandType: CommandType.COMMAND_TYPE_START_TIMER,
  startTimerCommandAttributes: { timerId: id, startToFireTimeout: msToTs(ms) },
});

/** The child process: a fresh engine on the database; prints its figures as JSON. */
async function restartPhase(databaseUrl: string, workflowId: string | undefined, recovery: RecoveryMode): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const engine = await startEngine({ databaseUrl, recovery });
  const serveMs = performance.now() - t0;
  let liveMs = 0;
  if (workflowId) {
    // First live state: a signal to a stored run and its workflow task (full history from the store).
    const connection = await Connection.connect({ address: engine.address });
    const svc = connection.workflowService;
    const t1 = performance.now();
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'probe' });
    await handleTask(svc, () => []);
    liveMs = performance.now() - t1;
    await connection.close();
  }
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  if (process.env.ENGINE_SCALE_HEAP) v8.writeHeapSnapshot(path.join(process.env.ENGINE_SCALE_HEAP, `restart-${recovery}-${Date.now()}.heapsnapshot`));
  const resident = (engine as { residentRuns?: () => { open: number; closed: number } }).residentRuns?.();
  console.log(JSON.stringify({ serveMs, liveMs, heap, pss: pssOf('self'), rss: process.memoryUsage().rss, resident, recovered: engine.recovered }));
  await engine.stop();
}

interface RestartFigures {
  serveMs: number;
  liveMs: number;
  heap: number;
  pss: number;
  rss: number;
  resident?: { open: number; closed: number };
  recovered?: { runs: number; replayed: number };
}

function runChild(databaseUrl: string, workflowId?: string, recovery: RecoveryMode = 'snapshot'): Promise<RestartFigures> {
  return new Promise((resolve, reject) => {
    const prof = process.env.ENGINE_SCALE_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ENGINE_SCALE_PROF}`, `--cpu-prof-name=restart-${recovery}-${Date.now()}.cpuprofile`] : [];
    const child = spawn(process.execPath, [...prof, '-r', 'ts-node/register/transpile-only', __filename, '--restart', databaseUrl, workflowId ?? '', recovery], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(JSON.parse(line));
      else reject(new Error(`restart child exited ${code}: ${out}`));
    });
  });
}

/** Single-row INSERT commits/s with 32 clients for ~3 s: the cluster's own commit rate. */
async function pgCommitRate(url: string): Promise<number> {
  const setup = new PgClient({ connectionString: url });
  await setup.connect();
  await setup.query('CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, v int)');
  await setup.end();
  const clients = await Promise.all(
    Array.from({ length: 32 }, async () => {
      const c = new PgClient({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let n = 0;
  const until = performance.now() + 3000;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        await c.query('INSERT INTO bench_commit (v) VALUES (1)');
        n++;
      }
    }),
  );
  const rate = n / ((performance.now() - t0) / 1000);
  await Promise.all(clients.map((c) => c.end()));
  return rate;
}

async function main(): Promise<void> {
  const kept = process.env.ENGINE_SCALE_DATA;
  const base = kept ?? (await mkdtemp(path.join(os.tmpdir(), 'bench-engine-scale-')));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(base, 'data'), persistent: !!kept });
  try {
    await cluster.ensureDatabase('scale');
    await cluster.ensureDatabase('empty');
    await cluster.ensureDatabase('commits');
    const url = cluster.url('scale');
    const commitRate = await pgCommitRate(cluster.url('commits'));

    const closed = Math.round(RUNS * CLOSED_SHARE);
    const seededAlready = await storedRuns(url);
    let startPhase = NaN;
    let signalPhase = NaN;
    let seededResident: { open: number; closed: number } | undefined;
    if (seededAlready === 0) {
    const engine = await startEngine({ databaseUrl: url });
    const connection = await Connection.connect({ address: engine.address });
    const svc = connection.workflowService;
    const t0 = performance.now();
    // Each caller starts a run and answers one workflow task (whichever the queue hands it).
    await pool(RUNS, CONCURRENCY, async (i) => {
      await svc.startWorkflowExecution({ namespace: 'default', workflowId: `order-${i}`, workflowType: { name: 'workOrder' }, taskQueue: { name: QUEUE }, requestId: `start-${i}` });
      await handleTask(svc, () => [timer('sign-deadline', 86_400_000), timer('handle-deadline', 7 * 86_400_000)]);
    });
    startPhase = performance.now() - t0;
    const t1 = performance.now();
    await pool(RUNS, CONCURRENCY, async (i) => {
      await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: `order-${i}` }, signalName: 'signed', requestId: `sig-${i}` });
      await handleTask(svc, (task) => {
        const wid = task.workflowExecution!.workflowId!;
        const n = Number(wid.slice('order-'.length));
        if (n < closed) return [{ commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }];
        return [{ commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 'sign-deadline' } }, timer('reply-deadline', 3 * 86_400_000)];
      });
    });
    signalPhase = performance.now() - t1;
    seededResident = engine.residentRuns();
    await connection.close();
    await engine.stop();
    } else if (seededAlready !== RUNS) {
      throw new Error(`ENGINE_SCALE_DATA holds ${seededAlready} runs, not ${RUNS}`);
    }

    const empty = await runChild(cluster.url('empty'));
    const replayed = await runChild(url, `order-${RUNS - 2}`, 'replay');
    const full = await runChild(url, `order-${RUNS - 1}`);
    const open = RUNS - closed;
    const pgPss = descendants(process.pid)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres');
        } catch {
          return false;
        }
      })
      .reduce((sum, pid) => sum + pssOf(pid), 0);

    const cpu = os.cpus();
    console.log(`engine at scale — ${new Date().toISOString()}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`machine: PostgreSQL single-row commits ${commitRate.toFixed(0)}/s (32 clients, fsync on)`);
    console.log(`seeding ${RUNS} runs (raw gRPC worker, ${CONCURRENCY} callers):`);
    if (seededAlready) console.log(`  (seeded by an earlier run, kept in ${base})`);
    console.log(`  start + first workflow task (2 timers):   ${(RUNS / (startPhase / 1000)).toFixed(0)} runs/s (${(2 * RUNS / (startPhase / 1000)).toFixed(0)} acknowledged writes/s)`);
    console.log(`  signal + workflow task (timer swap/close): ${(RUNS / (signalPhase / 1000)).toFixed(0)} runs/s`);
    if (seededResident) console.log(`  in memory after seeding: ${seededResident.open} open, ${seededResident.closed} closed (${closed} closed in all)`);
    console.log(`restart with ${open} open + ${closed} closed runs stored:`);
    for (const [label, r] of [['from snapshots (default)', full], ['replaying every history', replayed]] as const) {
      console.log(`  ${label}: serving after ${r.serveMs.toFixed(0)} ms (empty database: ${empty.serveMs.toFixed(0)} ms); first live workflow task ${r.liveMs.toFixed(0)} ms later; ${JSON.stringify(r.recovered)}`);
      console.log(`    engine process PSS ${mib(r.pss)} MiB (empty: ${mib(empty.pss)} MiB), V8 heap +${mib(r.heap)} MiB (empty: +${mib(empty.heap)} MiB)`);
      console.log(`    per open run: ${((r.pss - empty.pss) / open / 1024).toFixed(1)} KiB PSS, ${((r.heap - empty.heap) / open / 1024).toFixed(1)} KiB heap; ${((r.serveMs - empty.serveMs) / open * 1000).toFixed(0)} µs of start-up`);
      if (r.resident) console.log(`    in memory: ${r.resident.open} open, ${r.resident.closed} closed runs`);
    }
    console.log(`  PostgreSQL cluster PSS ${mib(pgPss)} MiB`);
  } finally {
    await cluster.stop();
    if (!kept) await rm(base, { recursive: true, force: true });
  }
}

/** Runs already stored in the bench database (a kept data directory), 0 when new. */
async function storedRuns(url: string): Promise<number> {
  const c = new PgClient({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(`SELECT CASE WHEN to_regclass('engine.engine_runs') IS NULL THEN 0 ELSE (SELECT count(*) FROM engine.engine_runs) END AS n`);
    return Number(r.rows[0].n);
  } catch {
    return 0;
  } finally {
    await c.end();
  }
}

if (process.argv[2] === '--restart') {
  restartPhase(process.argv[3], process.argv[4] || undefined, (process.argv[5] || 'snapshot') as RecoveryMode).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
