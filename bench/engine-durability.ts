/**
 * Engine throughput with persistence on (PostgreSQL store, group commit) vs in memory.
 *
 * Run: npx ts-node --transpile-only bench/engine-durability.ts [starts=2000] [updates=2000]
 *
 * PostgreSQL is an embedded cluster with its default durability settings (fsync on,
 * synchronous_commit on): each acknowledged change is on disk before the engine answers.
 * - starts/s: StartWorkflowExecution calls from 64 concurrent callers (no worker running, so
 *   this is the start path alone: one store write per start).
 * - updates/s: UpdateWorkflowExecution waiting for completion, 64 callers spread over 64
 *   running workflows, with a worker in this process (each update is a workflow task round
 *   trip: admitted -> task -> worker -> completion with acceptance + result, stored).
 * Client, worker and engine share this process; PostgreSQL runs beside it (2 cores in all).
 * Each mode runs twice, alternating; the better figure of each is printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { startEngine } from '../engine';
import { PostgresStore } from '../engine/persistence/postgresStore';
import { addUpdate, finishSignal } from './engine-durability-workflows';

const STARTS = Number(process.argv[2] ?? 2000);
const UPDATES = Number(process.argv[3] ?? 2000);
const CONCURRENCY = 64;

async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

interface Figures {
  startsPerSec: number;
  updatesPerSec: number;
  batches?: number;
  ops?: number;
}

async function measure(label: string, store: PostgresStore | undefined, bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>): Promise<Figures> {
  const engine = await startEngine({ store });
  const connection = await Connection.connect({ address: engine.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: engine.address });
  const taskQueue = `bench-${label}`;
  try {
    // Warm up the connection and the engine.
    await pool(50, 10, (i) => client.workflow.start('benchCounter', { taskQueue: `${taskQueue}-warm`, workflowId: `warm-${i}` }));

    let t0 = performance.now();
    await pool(STARTS, CONCURRENCY, (i) => client.workflow.start('benchCounter', { taskQueue: `${taskQueue}-idle`, workflowId: `start-${i}` }));
    const startsPerSec = STARTS / ((performance.now() - t0) / 1000);

    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, maxCachedWorkflows: 200 });
    const running = worker.run();
    const handles = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client.workflow.start('benchCounter', { taskQueue, workflowId: `upd-${i}` })));
    await Promise.all(handles.map((h) => h.executeUpdate(addUpdate, { args: [0] }))); // every run is cached on the worker
    t0 = performance.now();
    await pool(UPDATES, CONCURRENCY, (i) => handles[i % CONCURRENCY].executeUpdate(addUpdate, { args: [1] }));
    const updatesPerSec = UPDATES / ((performance.now() - t0) / 1000);
    const totals = await Promise.all(handles.map(async (h) => (await h.signal(finishSignal), h.result())));
    const sum = totals.reduce((a, b) => a + b, 0);
    if (sum !== UPDATES) throw new Error(`updates lost or doubled: ${sum} != ${UPDATES}`);
    worker.shutdown();
    await running;
    return { startsPerSec, updatesPerSec, ...(store ? { batches: store.stats.batches, ops: store.stats.ops } : {}) };
  } finally {
    await native.close();
    await connection.close();
    await engine.stop();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => console.error(m) } });
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./engine-durability-workflows'), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => console.error(m) } });
  const base = await mkdtemp(path.join(os.tmpdir(), 'bench-engine-pg-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(base, 'data'), persistent: false });
  try {
    await cluster.ensureDatabase('bench');
    // Each mode twice, alternating, so warm-up favours neither; the better run of each is shown.
    const runs: Record<'memory' | 'postgres', Figures[]> = { memory: [], postgres: [] };
    for (let round = 0; round < 2; round++) {
      runs.memory.push(await measure(`memory-${round}`, undefined, bundle));
      await cluster.ensureDatabase(`bench_${round}`);
      const store = await PostgresStore.open({ databaseUrl: cluster.url(`bench_${round}`) });
      try {
        runs.postgres.push(await measure(`postgres-${round}`, store, bundle));
      } finally {
        await store.close();
      }
    }
    const best = (list: Figures[]): Figures => ({
      ...list[list.length - 1],
      startsPerSec: Math.max(...list.map((f) => f.startsPerSec)),
      updatesPerSec: Math.max(...list.map((f) => f.updatesPerSec)),
    });
    const memory = best(runs.memory);
    const durable = best(runs.postgres);
    const row = (name: string, f: Figures) =>
      `${name.padEnd(34)} ${f.startsPerSec.toFixed(0).padStart(8)} ${f.updatesPerSec.toFixed(0).padStart(10)}`;
    console.log(`engine throughput, ${STARTS} starts and ${UPDATES} updates, ${CONCURRENCY} concurrent callers, ${os.cpus().length} CPUs`);
    console.log(`${'mode'.padEnd(34)} ${'starts/s'.padStart(8)} ${'updates/s'.padStart(10)}`);
    console.log(row('in memory', memory));
    console.log(row('PostgreSQL (fsync on, group commit)', durable));
    console.log(`group commit: ${durable.ops} writes in ${durable.batches} commits (${((durable.ops ?? 0) / (durable.batches || 1)).toFixed(1)} per commit)`);
  } finally {
    await cluster.stop();
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
