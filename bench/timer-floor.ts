/**
 * The floor under a deadline burst (issue 9): `npm run bench:floor -- --burst=10000`.
 *
 * What a burst costs when a work order's escalation is reduced to the engine's and the SDK's
 * part alone: N workflows (bench/timer-floor-workflows.ts) whose timers fire at one real
 * instant, each running one local activity that does nothing in the same workflow task and
 * setting a new timer — the shape of an escalation (timer fired, local activity, completion
 * with its marker and the next timer) with no work-order rules, no payload codec, no outbox.
 * Everything else is the service's: the engine in its own thread on its PostgreSQL store
 * (scripts/engineThread.ts), the worker from `createWorker` with the tuning of the environment
 * (`WORKER_MAX_CACHED_WORKFLOWS=…` etc., or `--cache=N`), embedded PostgreSQL.
 *
 * Prints how long after the instant the last local activity ran and the CPU per workflow, split
 * by thread, beside PostgreSQL's single-row commit rate measured in the same run. Subtract it
 * from `bench:profile -- --burst=N`'s split to see what the work order's own code adds.
 *
 * Options: `--burst=N` (default 10 000), `--cache=N` (the worker's cache; default the
 * environment's), `--lead=S` (seconds from the first start to the instant; default enough to
 * start them all at 150/s plus 20 s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { startEngineThread } from '../scripts/engineThread';
import type { WorkOrderActivities } from '../activities';
import { createWorker, payloadConverterPath, quietBundlerLogger } from '../worker/createWorker';
import { workerTuning, workerTuningShape } from '../worker/tuning';
import { postgresCommitRate } from './machine-limits';
import { sleep } from './scale-support';
import { cpuDelta, cpuSnapshot, readPostgresClients } from './threadCpu';
import type { FloorActivities } from './timer-floor-workflows';

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const burst = Number(option('burst') ?? 10_000);
const lead = Number(option('lead') ?? Math.ceil(20 + burst / 150));
const taskQueue = 'timer-floor';

async function main(): Promise<void> {
  const env = z.object(workerTuningShape).parse({ ...process.env, ...(option('cache') ? { WORKER_MAX_CACHED_WORKFLOWS: option('cache') } : {}) });
  const tuning = { ...workerTuning(env), bundleCacheDir: undefined };
  const quiet = () => undefined;
  Runtime.install({ logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m) => console.error(m) } });
  const base = await mkdtemp(path.join(os.tmpdir(), 'bench-timer-floor-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(base, 'data'), persistent: false });
  try {
    await cluster.ensureDatabase('floor');
    const databaseUrl = cluster.url('floor');
    const commits = await postgresCommitRate(databaseUrl, 32, 3);
    const engine = await startEngineThread({
      databaseUrl,
      port: 0,
      namespace: 'default',
      logger: { error: (obj, msg) => console.error(msg, obj) },
      onFatal: (message) => {
        console.error(`engine: ${message}`);
        process.exit(1);
      },
    });
    const connection = await Connection.connect({ address: engine.address });
    const client = new Client({ connection });
    // As the service connects its worker to the embedded engine: no gzip on loopback (scripts/service.ts).
    const native = await NativeConnection.connect({ address: engine.address, grpcCompression: { codec: 'none' } });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./timer-floor-workflows'), payloadConverterPath, logger: quietBundlerLogger });
    const recordedAt = new Map<string, number>();
    const activities: FloorActivities = {
      async recordDeadline(id) {
        recordedAt.set(id, Date.now());
      },
    };
    const worker = await createWorker({ connection: native, taskQueue, activities: activities as unknown as WorkOrderActivities, workflowBundle, tuning });
    const running = worker.run();
    try {
      const t0 = Date.now();
      const dueAt = t0 + lead * 1000;
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < burst) {
            const id = `floor-${next++}`;
            await client.workflow.start('deadlineFloor', { taskQueue, workflowId: id, args: [id, dueAt] });
          }
        }),
      );
      const startedIn = (Date.now() - t0) / 1000;
      if (Date.now() > dueAt - 2000) console.log(`note: starting took ${startedIn.toFixed(1)} s, past the instant; raise --lead`);
      await sleep(Math.max(0, dueAt - 500 - Date.now()));
      await readPostgresClients(databaseUrl);
      const before = cpuSnapshot(process.pid);
      const load = os.loadavg();
      const limit = Date.now() + 900_000;
      while (recordedAt.size < burst && Date.now() < limit) await sleep(20);
      await readPostgresClients(databaseUrl);
      const cpu = cpuDelta(before, cpuSnapshot(process.pid));
      const last = Math.max(...recordedAt.values());
      const total = cpu.reduce((s, [, v]) => s + v, 0);
      const cores = os.cpus().length;
      console.log(`timer-floor ${new Date().toISOString()} — ${cores} cores, load at the instant ${load.map((l) => l.toFixed(1)).join(' ')}`);
      console.log(`machine limit (same run): PostgreSQL single-row commits ${commits.toFixed(0)}/s, 32 clients`);
      console.log(`worker: cache ${tuning.maxCachedWorkflows}, workflow tasks ${tuning.maxConcurrentWorkflowTaskExecutions}, local activities ${tuning.maxConcurrentLocalActivityExecutions}, deadlock detection ${env.WORKER_DEADLOCK_DETECTION}`);
      console.log(`${burst} workflows started in ${startedIn.toFixed(1)} s; timers at one instant ${lead} s after the first start`);
      if (recordedAt.size < burst) console.log(`NOT COMPLETE: ${recordedAt.size} of ${burst} local activities ran within 900 s`);
      console.log(`burst of ${burst}: last local activity ran ${((last - dueAt) / 1000).toFixed(1)} s after the instant; CPU ${((total * 1000) / burst).toFixed(2)} ms per workflow`);
      for (const [kind, seconds] of cpu) console.log(`  ${((seconds * 1000) / burst).toFixed(2).padStart(7)} ms/op  ${kind}`);
      // The engine's part (its thread and its PostgreSQL backends) and the rest, all the SDK
      // worker's (the bench's client is idle during the burst): what the cores must run at least.
      const engine = cpu.filter(([kind]) => kind.includes('hotline-engine')).reduce((s, [, v]) => s + v, 0);
      const perOp = (seconds: number) => `${((seconds * 1000) / burst).toFixed(2)} ms/op (${(seconds / cores).toFixed(1)} s on ${cores} cores)`;
      console.log(`engine (thread and PostgreSQL): ${perOp(engine)}; SDK worker and the rest: ${perOp(total - engine)}; the cores were ${((100 * total) / (cores * ((last - dueAt) / 1000))).toFixed(0)} % busy`);
    } finally {
      await worker.shutdown();
      await running.catch(() => undefined);
      await native.close();
      await connection.close();
      await engine.stop();
    }
  } finally {
    await cluster.stop();
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
