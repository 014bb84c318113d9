/**
 * How long an engine on PostgreSQL takes to start with N stored work orders (it rebuilds every
 * run from its history before serving).
 *
 * Run: npx ts-node --transpile-only bench/engine-durability-restart.ts [runs=3000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { startEngine } from '../engine';

const RUNS = Number(process.argv[2] ?? 3000);

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'bench-engine-restart-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(base, 'data'), persistent: false });
  try {
    await cluster.ensureDatabase('bench');
    const databaseUrl = cluster.url('bench');
    const first = await startEngine({ databaseUrl });
    const connection = await Connection.connect({ address: first.address });
    const client = new Client({ connection });
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < RUNS) {
          const i = next++;
          const h = await client.workflow.start('benchCounter', { taskQueue: 'restart-bench', workflowId: `order-${i}` });
          await h.signal('finish');
        }
      }),
    );
    await connection.close();
    await first.stop();
    const t0 = performance.now();
    const second = await startEngine({ databaseUrl });
    const ms = performance.now() - t0;
    await second.stop();
    console.log(`engine start with ${RUNS} stored runs (3 events each, open): ${ms.toFixed(0)} ms (${((ms * 1000) / RUNS).toFixed(0)} µs per run)`);
  } finally {
    await cluster.stop();
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
