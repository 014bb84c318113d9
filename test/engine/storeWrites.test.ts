/**
 * Store writes per workflow task (issue 9). A workflow task scheduled only to deliver an update is
 * not written on its own: it is written with its start, in the one write the poll makes (as
 * Temporal's speculative task, nothing of an update is durable before it is accepted). And the
 * open run's visibility row goes only with writes that change more than its history length.
 * An update-with-start writes its start with that first task, in the same poll write.
 * Driven with raw gRPC calls, so the task waits in its queue and no worker's timing matters.
 */
import { Client, Connection } from '@temporalio/client';
import { startEngine, type EngineHandle } from '../../engine';
import { MemoryStore } from '../../engine/persistence/memoryStore';
import type { DerivedUpdate } from '../../engine/persistence/store';
import type { Msg } from '../../engine/proto';

class RecordingStore extends MemoryStore {
  readonly appends: Array<{ eventTypes: string[]; visibility: boolean }> = [];
  override async appendEvents(runKey: string, events: Msg[], derived: DerivedUpdate): Promise<void> {
    this.appends.push({ eventTypes: events.map((e) => String(e.eventType)), visibility: derived.visibility !== undefined });
    return super.appendEvents(runKey, events, derived);
  }
}

let engine: EngineHandle;
let connection: Connection;
let client: Client;
const store = new RecordingStore();

beforeAll(async () => {
  engine = await startEngine({ store });
  connection = await Connection.connect({ address: engine.address });
  client = new Client({ connection });
}, 60_000);
afterAll(async () => {
  await connection?.close();
  await engine?.stop();
});

/** An update-with-start of workflow `n`, as the SDK sends it: the update waits for `stage`. */
function updateWithStart(n: string, taskQueue: { name: string }, stage: 1 | 2 /* ADMITTED | ACCEPTED */) {
  return client.workflowService.executeMultiOperation({
    namespace: 'default',
    operations: [
      {
        startWorkflow: {
          namespace: 'default',
          workflowId: `store-writes-uws-${n}`,
          workflowType: { name: 'anything' },
          taskQueue,
          requestId: `uws-start-${n}`,
          identity: 'test',
          workflowIdConflictPolicy: 2 /* USE_EXISTING */,
        },
      },
      {
        updateWorkflow: {
          namespace: 'default',
          workflowExecution: { workflowId: `store-writes-uws-${n}` },
          request: { meta: { updateId: `uws-u-${n}`, identity: 'test' }, input: { name: 'anUpdate' } },
          waitPolicy: { lifecycleStage: stage },
        },
      },
    ],
  });
}

/** Starts a run on `taskQueue` and completes its first workflow task with no command: a run waiting for something. */
async function startPastFirstTask(workflowId: string, taskQueue: { name: string }, requestId: string): Promise<void> {
  const svc = client.workflowService;
  await svc.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'anything' }, taskQueue, requestId, identity: 'test' });
  const first = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
  await svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: first.taskToken, identity: 'test', commands: [] });
}

test('an update’s workflow task is written with its start, in one write; the visibility row only when it changes', async () => {
  const svc = client.workflowService;
  const taskQueue = { name: 'store-writes' };
  const workflowId = 'store-writes-1';
  await startPastFirstTask(workflowId, taskQueue, 'start-1');

  const before = store.appends.length;
  // The update waits for its acceptance; the task it needs stays queued until the poll below.
  const update = svc
    .updateWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
      request: { meta: { updateId: 'u-1', identity: 'test' }, input: { name: 'anUpdate' } },
      waitPolicy: { lifecycleStage: 2 /* ACCEPTED */ },
    })
    .catch((error: unknown) => error);
  const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
  expect(task.messages?.[0]?.protocolInstanceId).toBe('u-1');

  const writes = store.appends.slice(before);
  expect(writes.map((w) => w.eventTypes)).toEqual([['EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'EVENT_TYPE_WORKFLOW_TASK_STARTED']]);
  // Only the history length changed: no visibility row with the write.
  expect(writes[0].visibility).toBe(false);

  // A closed run's row always goes along.
  await svc.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'test over', identity: 'test' });
  await update;
  const last = store.appends.at(-1)!;
  expect(last.eventTypes).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
  expect(last.visibility).toBe(true);
});

test('update-with-start: the start is written with its first workflow task, in the poll’s one write', async () => {
  const svc = client.workflowService;
  const taskQueue = { name: 'store-writes-uws' };
  const workflowId = 'store-writes-uws-1';
  const before = store.appends.length;
  // The update waits for its acceptance; the task stays queued until the poll below.
  const call = updateWithStart('1', taskQueue, 2).catch((error: unknown) => error);
  const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
  expect(task.messages?.[0]?.protocolInstanceId).toBe('uws-u-1');
  expect(store.appends.slice(before).map((w) => w.eventTypes)).toEqual([
    ['EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'EVENT_TYPE_WORKFLOW_TASK_STARTED'],
  ]);

  // Without a worker's answer the call still ends with the run started, and durable.
  await svc.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'test over', identity: 'test' });
  await call;
  expect(store.appends.at(-1)!.eventTypes).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
});

test('update-with-start answered before its update is accepted: the run it started is durable when the call answers', async () => {
  const svc = client.workflowService;
  const workflowId = 'store-writes-uws-2';
  const before = store.appends.length;
  // Waiting only for admission, the call answers at once, with no worker polling.
  const outcome = await updateWithStart('2', { name: 'store-writes-uws-nobody' }, 1);
  expect(outcome.responses).toHaveLength(2);
  // No poll happened: the start was written by the call itself, before it answered.
  expect(store.appends.slice(before).map((w) => w.eventTypes)).toEqual([['EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED']]);
  await svc.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'test over', identity: 'test' });
});

test('update-with-start with a poller already waiting: its first workflow task carries the update (one task per creation)', async () => {
  const svc = client.workflowService;
  const taskQueue = { name: 'store-writes-uws-waiting' };
  const workflowId = 'store-writes-uws-3';
  // The poll waits before the run exists: the first task is handed over as soon as it is queued.
  const poll = svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
  // Let the poll reach the engine and wait there.
  await new Promise((resolve) => setImmediate(resolve));
  await svc.describeTaskQueue({ namespace: 'default', taskQueue, taskQueueType: 1 }).catch(() => undefined);
  const call = updateWithStart('3', taskQueue, 2).catch((error: unknown) => error);
  const task = await poll;
  expect(task.history?.events?.[0]?.eventType).toBe(1 /* WORKFLOW_EXECUTION_STARTED */);
  // Without the update in it, the worker would need a second workflow task to see the update.
  expect(task.messages?.map((m) => m.protocolInstanceId)).toEqual(['uws-u-3']);
  await svc.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'test over', identity: 'test' });
  await call;
});

test('signal-with-start with a poller already waiting: its first workflow task carries the signal, as in Temporal', async () => {
  const svc = client.workflowService;
  const taskQueue = { name: 'store-writes-sws-waiting' };
  const workflowId = 'store-writes-sws-1';
  const poll = svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
  await new Promise((resolve) => setImmediate(resolve));
  await svc.describeTaskQueue({ namespace: 'default', taskQueue, taskQueueType: 1 }).catch(() => undefined);
  await svc.signalWithStartWorkflowExecution({
    namespace: 'default',
    workflowId,
    workflowType: { name: 'anything' },
    taskQueue,
    requestId: 'sws-start-1',
    identity: 'test',
    signalName: 'aSignal',
  });
  const task = await poll;
  // Temporal writes started, signaled, then the first task's scheduled event.
  expect(task.history?.events?.map((e) => e.eventType)).toEqual([
    1 /* WORKFLOW_EXECUTION_STARTED */, 26 /* WORKFLOW_EXECUTION_SIGNALED */, 5 /* WORKFLOW_TASK_SCHEDULED */, 6 /* WORKFLOW_TASK_STARTED */,
  ]);
  await svc.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'test over', identity: 'test' });
});

test('a task whose cause is already written starts without a write of its own: WorkflowTaskStarted goes with the completion', async () => {
  const svc = client.workflowService;
  const taskQueue = { name: 'store-writes-started' };
  const workflowId = 'store-writes-started-1';
  await startPastFirstTask(workflowId, taskQueue, 'started-1');
  // The signal and the task it schedules are durable when the signal is answered.
  const beforeSignal = store.appends.length;
  await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'aSignal', identity: 'test' });
  expect(store.appends.slice(beforeSignal).map((w) => w.eventTypes)).toEqual([['EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED']]);

  const beforePoll = store.appends.length;
  const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
  expect(task.history?.events?.at(-1)?.eventType).toBe(6 /* WORKFLOW_TASK_STARTED */);
  expect(store.appends.length).toBe(beforePoll);
  await svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: task.taskToken, identity: 'test', commands: [] });
  expect(store.appends.slice(beforePoll).map((w) => w.eventTypes)).toEqual([['EVENT_TYPE_WORKFLOW_TASK_STARTED', 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED']]);
  const history = await svc.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
  expect(history.history?.events?.map((e) => Number(e.eventId))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  await svc.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'test over', identity: 'test' });
});

test('a task started but not completed when the engine stops is scheduled again after the restart, with the same event ids', async () => {
  const ownStore = new RecordingStore();
  const taskQueue = { name: 'store-writes-restart' };
  const workflowId = 'store-writes-restart-1';
  let first: EngineHandle | undefined = await startEngine({ store: ownStore });
  let conn = await Connection.connect({ address: first.address });
  try {
    const svc = conn.workflowService;
    await svc.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'anything' }, taskQueue, requestId: 'restart-1', identity: 'test' });
    const t1 = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
    await svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: t1.taskToken, identity: 'test', commands: [] });
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'aSignal', identity: 'test' });
    const handedOut = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
    expect(Number(handedOut.startedEventId)).toBe(7);
  } finally {
    await conn.close();
    await first.stop();
    first = undefined;
  }
  // The started event was never written: the new engine finds the task scheduled, not started.
  const second = await startEngine({ store: ownStore });
  conn = await Connection.connect({ address: second.address });
  try {
    const svc = conn.workflowService;
    const again = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
    expect(Number(again.startedEventId)).toBe(7);
    expect(again.history?.events?.map((e) => e.eventType)).toEqual([1, 5, 6, 7, 26, 5, 6]);
    await svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: again.taskToken, identity: 'test', commands: [] });
    const history = await svc.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
    expect(history.history?.events?.map((e) => e.eventType)).toEqual([1, 5, 6, 7, 26, 5, 6, 7]);
    await svc.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'test over', identity: 'test' });
  } finally {
    await conn.close();
    await second.stop();
  }
});
