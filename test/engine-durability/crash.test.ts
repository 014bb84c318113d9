/**
 * Crash test: the engine runs as a child process on embedded PostgreSQL and is killed with
 * SIGKILL at random moments while work orders run through their lives (deadlines that escalate,
 * notes, actions), then restarted on the same port and database, several times. Afterwards every
 * work order's history and result are checked against what the engine acknowledged: nothing
 * lost, nothing doubled, every deadline escalated exactly once, and every history still replays
 * deterministically with the workflow code.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { installQuietRuntime } from './quietRuntime';
import { createDurabilityActivities, type EscalationLog } from './activities';
import { freePort, startEngineProcess, type EngineProcess } from './engineProcess';
import { actionUpdate, progressQuery, type DurableOrderInput, type DurableOrderResult } from './workflows/durableOrder';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

const EventType = temporal.api.enums.v1.EventType;
const workflowsPath = require.resolve('./workflows/durableOrder');
const TASK_QUEUE = 'durable-orders';
const ORDERS = 24;
const WAVES = 4;
const KILLS = 6;
/** How long every order may take to finish, chaos included (the test's timeout is 180 s). */
const RESULTS_WITHIN_MS = 150_000;

let db: TestPostgres;
let engine: EngineProcess;
let port: number;

beforeAll(async () => {
  installQuietRuntime();
  db = await startTestPostgres({ migrate: false });
  port = await freePort();
  engine = await startEngineProcess(port, db.databaseUrl);
}, 120_000);

afterAll(async () => {
  await engine?.kill();
  await db?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));

/** Repeats `call` until it succeeds (the engine may be down or restarting), at most `ms`. */
async function untilAcked<T>(what: string, call: () => Promise<T>, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what} never acknowledged: ${(err as Error).message}`);
      await sleep(150);
    }
  }
}

/** An order's history, one line per event (read again while the engine restarts). */
async function historyLines(client: Client, id: string): Promise<string> {
  const h = await untilAcked('history', () => client.workflow.getHandle(id).fetchHistory(), 10_000).catch(() => undefined);
  const detail = (e: temporal.api.history.v1.IHistoryEvent) =>
    e.workflowExecutionUpdateAcceptedEventAttributes?.protocolInstanceId ??
    e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId ??
    e.workflowExecutionSignaledEventAttributes?.signalName ??
    (e.workflowTaskFailedEventAttributes ? `${e.workflowTaskFailedEventAttributes.cause} ${e.workflowTaskFailedEventAttributes.failure?.message}` : undefined) ??
    e.activityTaskStartedEventAttributes?.attempt ??
    '';
  if (!h) return '(history unreadable)';
  return (h.events ?? []).map((e) => `${e.eventId} ${EventType[e.eventType!]} ${detail(e)} ${e.eventTime?.seconds}.${e.eventTime?.nanos}`).join('\n');
}

/** With CRASH_DEBUG=1 (or `always`), prints an order's history to diagnose a failure. */
async function dumpHistory(client: Client, id: string, why: string, always = false): Promise<void> {
  if (!process.env.CRASH_DEBUG && !always) return;
  console.log(`${id}: ${why}\n${await historyLines(client, id)}`);
}

interface Acked {
  runIds: Set<string>;
  notes: string[];
  actions: number[];
}

it(
  'work orders survive repeated SIGKILLs of the engine: nothing lost, nothing doubled, each deadline escalated once',
  async () => {
    const testStart = Date.now();
    // No SDK-level retries: this test repeats each call itself, every 150 ms, with the same ids.
    const connection = await Connection.connect({ address: engine.address, interceptors: [] });
    const client = new Client({ connection });
    const native = await NativeConnection.connect({ address: engine.address });
    const escalations: EscalationLog = new Map();
    const worker = await Worker.create({
      connection: native,
      taskQueue: TASK_QUEUE,
      workflowsPath,
      activities: createDurabilityActivities(escalations),
      maxConcurrentWorkflowTaskExecutions: 20,
    });
    const workerRun = worker.run();

    const orders = Array.from({ length: ORDERS }, (_, i) => ({
      orderId: `order-${i}`,
      deadlinesMs: [rand(200, 1500), rand(200, 1500), rand(200, 1500)],
      expectNotes: 3,
      expectActions: 2,
    }) satisfies DurableOrderInput);
    const acked = new Map<string, Acked>(orders.map((o) => [o.orderId, { runIds: new Set(), notes: [], actions: [] }]));

    // Drives one order: start, three notes and two actions at random moments, each repeated
    // with the same request/update id until the engine acknowledges it.
    const drive = async (order: DurableOrderInput, wave: number): Promise<DurableOrderResult> => {
      await sleep(wave * 2_000);
      const a = acked.get(order.orderId)!;
      const requestId = randomUUID();
      const started = await untilAcked(`start of ${order.orderId}`, () =>
        client.workflowService.startWorkflowExecution({
          namespace: 'default',
          workflowId: order.orderId,
          workflowType: { name: 'durableOrder' },
          taskQueue: { name: TASK_QUEUE },
          input: { payloads: [defaultPayloadConverter.toPayload(order)] },
          requestId,
          identity: 'crash-test',
        }),
      );
      a.runIds.add(started.runId!);
      const handle = client.workflow.getHandle(order.orderId);
      // A refused action leaves no trace (asked first: it must reach the order while it runs).
      {
        const refused = await untilAcked('refused action', () =>
          handle.executeUpdate(actionUpdate, { args: [-1], updateId: `${order.orderId}/refused` }).then(
            () => 'accepted',
            (err: unknown) => {
              if (err instanceof WorkflowUpdateFailedError) return 'refused';
              throw err;
            },
          ),
        );
        expect(refused).toBe('refused');
      }
      const steps: Array<() => Promise<void>> = [];
      for (let n = 1; n <= order.expectNotes; n++) {
        const note = `${order.orderId}/note-${n}`;
        const rid = randomUUID();
        steps.push(async () => {
          await untilAcked(`note ${note}`, () =>
            client.workflowService.signalWorkflowExecution({
              namespace: 'default',
              workflowExecution: { workflowId: order.orderId },
              signalName: 'note',
              input: { payloads: [defaultPayloadConverter.toPayload(note)] },
              requestId: rid,
              identity: 'crash-test',
            }),
          );
          a.notes.push(note);
        });
      }
      for (let n = 1; n <= order.expectActions; n++) {
        const value = Number(order.orderId.split('-')[1]) * 100 + n;
        const updateId = `${order.orderId}/action-${n}`;
        steps.push(async () => {
          await untilAcked(`action ${updateId}`, () => handle.executeUpdate(actionUpdate, { args: [value], updateId }));
          a.actions.push(value);
        });
      }
      await Promise.all(steps.map(async (step) => (await sleep(rand(0, 3_000)), step())));
      const r = await untilAcked(`result of ${order.orderId}`, () => handle.result() as Promise<DurableOrderResult>, 60_000);
      done.add(order.orderId);
      return r;
    };

    const done = new Set<string>();
    /** What each order still running was acknowledged, saw (its progress query) and recorded. */
    const unfinishedReport = async (): Promise<never> => {
      const lines = await Promise.all(
        orders
          .filter((o) => !done.has(o.orderId))
          .map(async (o) => {
            const handle = client.workflow.getHandle(o.orderId);
            const progress = await untilAcked('progress', () => handle.query(progressQuery), 10_000).catch((err: unknown) => (err as Error).message);
            return `${o.orderId}: acknowledged ${JSON.stringify({ ...acked.get(o.orderId), runIds: [...acked.get(o.orderId)!.runIds] })}; progress ${JSON.stringify(progress)}; history:\n${await historyLines(client, o.orderId)}`;
          }),
      );
      throw new Error(`orders unfinished after ${RESULTS_WITHIN_MS / 1000} s:\n${lines.join('\n')}`);
    };
    const results = Promise.all(orders.map((o, i) => drive(o, i % WAVES).catch(async (err) => {
      await dumpHistory(client, o.orderId, `${(err as Error).message}; acknowledged: ${JSON.stringify(acked.get(o.orderId))}`);
      throw err;
    })));
    let settled = false;
    if (process.env.CRASH_DEBUG) {
      setTimeout(() => {
        for (const o of orders) if (!done.has(o.orderId)) void dumpHistory(client, o.orderId, 'unfinished after 70 s');
      }, 70_000).unref();
    }
    void results.finally(() => (settled = true)).catch(() => undefined);

    // Chaos: kill the engine at random moments, keep it down a little, start it again.
    let kills = 0;
    while (kills < KILLS && !settled) {
      await sleep(rand(800, 2_500));
      await engine.kill();
      kills++;
      await sleep(rand(0, 700));
      engine = await startEngineProcess(port, db.databaseUrl);
    }
    // Bounded below the test's own timeout, so a stuck order is named rather than timed out blind.
    let overdue: NodeJS.Timeout | undefined;
    const final = await Promise.race([
      results,
      new Promise<never>((_, reject) => {
        overdue = setTimeout(() => unfinishedReport().catch(reject), RESULTS_WITHIN_MS - (Date.now() - testStart));
      }),
    ]).finally(() => clearTimeout(overdue));
    expect(kills).toBeGreaterThanOrEqual(4);

    for (const [i, order] of orders.entries()) {
      const id = order.orderId;
      const a = acked.get(id)!;
      const result = final[i];
      if (JSON.stringify([...result.actions].sort()) !== JSON.stringify([...a.actions].sort())) await dumpHistory(client, id, `actions ${result.actions}`);
      // Every acknowledged note and action exactly once; every deadline escalated once, in order.
      expect([...result.notes].sort()).toEqual([...a.notes].sort());
      expect([...result.actions].sort()).toEqual([...a.actions].sort());
      expect(result.escalations).toEqual([1, 2, 3].map((s) => `${id}#${s}`));
      // One run only, the one whose start was acknowledged.
      expect(a.runIds.size).toBe(1);
      const listed = await client.workflow.list({ query: `WorkflowId = "${id}"` });
      const runs: string[] = [];
      for await (const info of listed) runs.push(info.runId);
      expect(runs).toEqual([...a.runIds]);

      const history = await client.workflow.getHandle(id).fetchHistory();
      const events = history.events!;
      expect(events.map((e) => Number(e.eventId))).toEqual(events.map((_, k) => k + 1));
      const ofType = (t: number) => events.filter((e) => e.eventType === t);
      const timerIds = ofType(EventType.EVENT_TYPE_TIMER_FIRED).map((e) => e.timerFiredEventAttributes!.timerId);
      expect(timerIds).toHaveLength(3);
      expect(new Set(timerIds).size).toBe(3);
      expect(ofType(EventType.EVENT_TYPE_TIMER_STARTED)).toHaveLength(3);
      // Each timer fired no earlier than its deadline.
      for (const fired of ofType(EventType.EVENT_TYPE_TIMER_FIRED)) {
        const startedEv = events[Number(fired.timerFiredEventAttributes!.startedEventId) - 1];
        const dueMs = Number(startedEv.eventTime!.seconds) * 1000 + startedEv.eventTime!.nanos! / 1e6 + Number(startedEv.timerStartedEventAttributes!.startToFireTimeout!.seconds ?? 0) * 1000 + (startedEv.timerStartedEventAttributes!.startToFireTimeout!.nanos ?? 0) / 1e6;
        expect(Number(fired.eventTime!.seconds) * 1000 + fired.eventTime!.nanos! / 1e6).toBeGreaterThanOrEqual(dueMs - 1);
      }
      expect(ofType(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toHaveLength(3);
      expect(ofType(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)).toHaveLength(3);
      const signaled = ofType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
      expect(signaled).toHaveLength(3);
      const accepted = ofType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.protocolInstanceId);
      expect([...accepted].sort()).toEqual([`${id}/action-1`, `${id}/action-2`]);
      expect(ofType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)).toHaveLength(2);
      expect(events[0].eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
      expect(events[events.length - 1].eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
      // The history is still a valid, deterministic history of this workflow.
      await Worker.runReplayHistory({ workflowsPath, replayName: id }, history).catch(async (err: unknown) => {
        // Seen once in about thirty runs (2026-12-05, beside other test files): the history is the clue.
        await dumpHistory(client, id, `replay failed: ${(err as Error).message}`, true);
        throw err;
      });
      // Odd orders' escalations failed once and were retried by the engine (attempt 2 ran).
      if (/[13579]$/.test(id)) for (let s = 1; s <= 3; s++) expect(escalations.get(`${id}#${s}`)).toContain(2);
    }

    worker.shutdown();
    await workerRun;
    await native.close();
    await connection.close();
  },
  180_000,
);
