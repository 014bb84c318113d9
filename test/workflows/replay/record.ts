/**
 * Records the histories the replay test (replay.test.ts) replays: run it on a release's workflow
 * code (`npm run record:histories`) and commit the JSON files; the next releases must replay them
 * without non-determinism errors (README: changing workflow code). Payloads are plain here (no
 * codec): the histories hold fixture data only.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { WORKFLOW_TYPE, callbackUpdate, contactUpdate, replyReviewUpdate, replyUpdate, signUpdate, withdrawUpdate } from '../../../workflows/messages';
import type { workOrderWorkflow } from '../../../workflows/workOrder';
import { bundleWorkOrderWorkflows, createWorker } from '../../../worker/createWorker';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startEngine } from '../../../engine';
import { createFakeActivities } from '../fakeActivities';
import { callback, center, input, reply, unitUser } from '../fixtures';

const taskQueue = 'work-orders-replay';

async function main(): Promise<void> {
  // The engine in-process on a manual clock (Monday 2026-03-02 09:00 China time).
  const [engine, bundle] = await Promise.all([
    startEngine({ clock: { kind: 'manual', startAt: new Date('2026-03-02T01:00:00Z') }, onError: () => undefined }),
    bundleWorkOrderWorkflows(),
  ]);
  const native = await NativeConnection.connect({ address: engine.address });
  const connection = await Connection.connect({ address: engine.address });
  const client = new Client({ connection });
  const worker = await createWorker({ connection: native, taskQueue, activities: createFakeActivities().activities, workflowBundle: bundle });
  const running = worker.run();
  const A = unitUser('unit-a');
  const start = async (id: string) => {
    const wo = input({ profile: 'kaifeng-001', id });
    return client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: wo.workOrderId, args: [wo] });
  };
  try {
    // 1. The whole happy path: sign, contact, reply, review, callback → closed.
    const closed = await start('REPLAY-CLOSED');
    await closed.executeUpdate(signUpdate, { args: [{ actor: A }] });
    await closed.executeUpdate(contactUpdate, { args: [{ actor: A, reached: true, method: 'phone', person: '李四' }] });
    const contactAt = new Date(engine.clock.now()).toISOString();
    await closed.executeUpdate(replyUpdate, { args: [{ actor: A, ...reply(contactAt) } as never] });
    await closed.executeUpdate(replyReviewUpdate, { args: [{ actor: center, accepted: true, reason: '合规' }] });
    await closed.executeUpdate(callbackUpdate, { args: [{ actor: center, ...callback('satisfied') } as never] });

    // 2. Left unsigned for three days: urges and escalations fire on timers; then withdrawn.
    const late = await start('REPLAY-ESCALATED');
    await engine.clock.advance!(3 * 86_400_000);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // let the fired timers' tasks run
    await late.executeUpdate(withdrawUpdate, { args: [{ actor: center, reason: '市民撤诉' }] });

    for (const handle of [closed, late]) {
      const history = await handle.fetchHistory();
      await writeFile(path.join(__dirname, 'histories', `${handle.workflowId}.json`), `${JSON.stringify(temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String }))}\n`);
      process.stdout.write(`${handle.workflowId}: ${history.events?.length} events\n`);
    }
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await native.close();
    await engine.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
