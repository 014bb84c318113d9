/**
 * Records the histories the replay test (replay.test.ts) replays: run it on a release's workflow
 * code (`npm run record:histories [-- --label=<release>]`) and commit the JSON files beside the
 * older ones; the next releases must replay them without non-determinism errors (README:
 * changing workflow code). Files are named `<label>-<scenario>.json`; the label defaults to
 * today's date (UTC). Payloads are plain here (no codec): fixture data only.
 *
 * Scenarios: the whole happy path (closed); left unsigned until its timers fire (催办, then 督办)
 * and then withdrawn (urged-withdrawn).
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
const label = process.argv.find((a) => a.startsWith('--label='))?.slice('--label='.length) ?? new Date().toISOString().slice(0, 10);
if (!/^[A-Za-z0-9._-]+$/.test(label)) throw new Error(`--label: letters, digits, . _ - only (got ${label})`);

/** The history of a finished (or still running) workflow, with its timers' firings. */
type Handle = Awaited<ReturnType<Client['workflow']['start']>>;
const eventTypes = async (handle: Handle) =>
  ((await handle.fetchHistory()).events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType));

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

    // 2. Left unsigned past its deadlines: the engine's clock steps through each due timer
    //    (advanceTo), so the timers fire (催办, then 督办) and their escalation activities run;
    //    then withdrawn, which ends the workflow.
    const late = await start('REPLAY-URGED-WITHDRAWN');
    // Its first task must have run (the deadline timer started) before the clock moves.
    for (let i = 0; !(await eventTypes(late)).some((t) => /TIMER_STARTED/.test(t)); i++) {
      if (i > 600) throw new Error('the workflow started no timer in 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const startedAt = engine.clock.now();
    const stepped = await engine.clock.advanceTo!(startedAt + 3 * 86_400_000, { settleTimeoutMs: 60_000 });
    if (!stepped.settled) throw new Error('the fired timers did not settle in 60 s');
    const fired = (await eventTypes(late)).filter((t) => /TIMER_FIRED/.test(t)).length;
    if (fired < 2) throw new Error(`expected the urge and the escalation timers to fire, ${fired} fired`);
    await late.executeUpdate(withdrawUpdate, { args: [{ actor: center, reason: '市民撤诉' }] });
    await late.result();

    for (const [handle, scenario] of [
      [closed, 'closed'],
      [late, 'urged-withdrawn'],
    ] as const) {
      await handle.result();
      const history = await handle.fetchHistory();
      const file = `${label}-${scenario}.json`;
      await writeFile(path.join(__dirname, 'histories', file), `${JSON.stringify(temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String }))}\n`);
      process.stdout.write(`${file}: ${history.events?.length} events\n`);
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
