/**
 * Engine figures with the in-memory store (client, worker and engine in this process):
 * - workflows/s: StartWorkflowExecution + one activity + completion, 32 concurrent clients
 *   (3 workflow tasks and 1 activity task per workflow);
 * - time skipping: wall time of a workflow that sleeps 30 days + 1 day around an activity.
 *
 * Run: npx ts-node --transpile-only bench/engine-core.ts [workflows=1000]
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { startEngine } from '../engine';
import { createTimeSkippingEnv } from '../test/support/temporalEnv';
import { monthLong, oneActivity } from './engine-core-workflows';

const WORKFLOWS = Number(process.argv[2] ?? 1000);
const CONCURRENCY = 32;

async function throughput(): Promise<number> {
  const engine = await startEngine();
  const connection = await Connection.connect({ address: engine.address });
  const native = await NativeConnection.connect({ address: engine.address });
  const client = new Client({ connection });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./engine-core-workflows'), logger: new DefaultLogger('WARN') });
  const worker = await Worker.create({ connection: native, taskQueue: 'bench', workflowBundle, activities: { touch: async (n: number) => n + 1 } });
  let perSec = 0;
  await worker.runUntil(async () => {
    await client.workflow.execute(oneActivity, { taskQueue: 'bench', workflowId: 'warm-up', args: [0] });
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < WORKFLOWS) {
          const i = next++;
          await client.workflow.execute(oneActivity, { taskQueue: 'bench', workflowId: `wf-${i}`, args: [i] });
        }
      }),
    );
    perSec = WORKFLOWS / ((Date.now() - t0) / 1000);
  });
  await native.close();
  await connection.close();
  await engine.stop();
  return perSec;
}

async function skipping(): Promise<number> {
  const env = await createTimeSkippingEnv();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'bench-skip',
    workflowsPath: require.resolve('./engine-core-workflows'),
    activities: { touch: async (n: number) => n + 1 },
  });
  let ms = 0;
  await worker.runUntil(async () => {
    const t0 = Date.now();
    await env.client.workflow.execute(monthLong, { taskQueue: 'bench-skip', workflowId: 'month' });
    ms = Date.now() - t0;
  });
  await env.teardown();
  return ms;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const perSec = await throughput();
  console.log(`engine (in memory): ${WORKFLOWS} workflows (start + 1 activity + complete), ${CONCURRENCY} concurrent: ${perSec.toFixed(0)} workflows/s`);
  const ms = await skipping();
  console.log(`time skipping: 31 days of workflow time with an activity in ${ms} ms wall time`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
