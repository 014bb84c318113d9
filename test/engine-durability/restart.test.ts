/**
 * Restart test: work orders with pending deadlines, the engine stopped for longer than the
 * deadlines, started again: the missed deadlines escalate at once (not a full deadline later),
 * in due order, each exactly once. Also: a second engine on the same database is refused.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { installQuietRuntime } from './quietRuntime';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { createDurabilityActivities, type EscalationLog } from './activities';
import { freePort, startEngineProcess, type EngineProcess } from './engineProcess';
import type { DurableOrderResult, durableOrder } from './workflows/durableOrder';

const EventType = temporal.api.enums.v1.EventType;
const workflowsPath = require.resolve('./workflows/durableOrder');
const TASK_QUEUE = 'restart-orders';

let db: TestPostgres;
let engine: EngineProcess | undefined;
let port: number;

beforeAll(async () => {
  installQuietRuntime();
  db = await startTestPostgres({ migrate: false });
  port = await freePort();
}, 120_000);

afterAll(async () => {
  await engine?.kill();
  await db?.stop();
});

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

it('deadlines that came due while the engine was down escalate as soon as it is back, in order, once', async () => {
  engine = await startEngineProcess(port, db.databaseUrl);
  const connection = await Connection.connect({ address: engine.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: engine.address });
  const escalations: EscalationLog = new Map();
  const worker = await Worker.create({ connection: native, taskQueue: TASK_QUEUE, workflowsPath, activities: createDurabilityActivities(escalations) });
  const workerRun = worker.run();

  // Deadlines 2.0 s .. 2.8 s out; order-4 has none pending (it must not be disturbed).
  const ids = [0, 1, 2, 3].map((i) => `restart-order-${i}`);
  const handles = await Promise.all(
    ids.map((workflowId, i) =>
      client.workflow.start<typeof durableOrder>('durableOrder', {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [{ orderId: workflowId, deadlinesMs: [2_800 - i * 250], expectNotes: 0, expectActions: 0 }],
      }),
    ),
  );
  // Every order has its deadline timer started before the engine goes away.
  for (const h of handles) {
    for (let i = 0; ; i++) {
      const events = (await h.fetchHistory()).events!;
      if (events.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)) break;
      if (i > 100) throw new Error(`no timer started for ${h.workflowId}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  expect(await client.workflow.count(`ExecutionStatus = "Running" AND WorkflowType = "durableOrder"`)).toEqual({ count: 4, groups: [] });

  // Orderly stop, then stay down past every deadline.
  await engine.terminate();
  const stoppedAt = Date.now();
  await new Promise((r) => setTimeout(r, 3_500));
  const restartedAt = Date.now();
  engine = await startEngineProcess(port, db.databaseUrl);
  const upAt = Date.now();

  const results = (await Promise.all(handles.map((h) => h.result()))) as DurableOrderResult[];
  results.forEach((r, i) => expect(r.escalations).toEqual([`${ids[i]}#1`]));
  const fired: Array<{ id: string; due: number; at: number }> = [];
  for (const h of handles) {
    const events = (await h.fetchHistory()).events!;
    const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    const firedEvents = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
    expect(started).toHaveLength(1);
    expect(firedEvents).toHaveLength(1);
    const due = ms(started[0].eventTime) + ms(started[0].timerStartedEventAttributes!.startToFireTimeout);
    fired.push({ id: h.workflowId, due, at: ms(firedEvents[0].eventTime) });
    expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toHaveLength(1);
  }
  for (const f of fired) {
    // Due while the engine was down...
    expect(f.due).toBeGreaterThan(stoppedAt);
    expect(f.due).toBeLessThan(restartedAt);
    // ...fired as soon as it was back, not a deadline later.
    expect(f.at).toBeGreaterThanOrEqual(restartedAt);
    expect(f.at - upAt).toBeLessThan(1_000);
  }
  // In due order (an earlier deadline never fires after a later one).
  for (const a of fired) for (const b of fired) if (a.due < b.due) expect(a.at).toBeLessThanOrEqual(b.at);
  // Visibility after the restart knows every order, now closed.
  expect(await client.workflow.count(`WorkflowType = "durableOrder" AND ExecutionStatus = "Completed"`)).toEqual({ count: 4, groups: [] });

  worker.shutdown();
  await workerRun;
  await native.close();
  await connection.close();
}, 60_000);

it('a second engine on the same database is refused with a clear message', async () => {
  engine ??= await startEngineProcess(port, db.databaseUrl);
  const second = await startEngineProcess(await freePort(), db.databaseUrl, ['--lock-wait-ms', '300']).then(
    async (p) => {
      await p.kill();
      return 'started';
    },
    (err: Error) => err.message,
  );
  expect(second).toMatch(/another engine is already running on this database/);
}, 30_000);
