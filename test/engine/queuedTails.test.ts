/**
 * A run whose workflow task waits in a queue keeps its history tail in memory past the
 * resident-tail cap (issue 9): in a burst of passed deadlines beyond the cap, every run's tail
 * was paged out before its task was polled and read back from the store by the poll.
 * Driven with raw gRPC calls, so the tasks wait in their queue as long as the test wants.
 */
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { startEngine, type EngineHandle } from '../../engine';
import { MemoryStore } from '../../engine/persistence/memoryStore';
import type { Msg } from '../../engine/proto';

class CountingStore extends MemoryStore {
  eventReads = 0;
  override async readEvents(runKey: string, fromEventId = 1): Promise<Msg[]> {
    this.eventReads++;
    return super.readEvents(runKey, fromEventId);
  }
}

let engine: EngineHandle;
let connection: Connection;
let client: Client;
const store = new CountingStore();

beforeAll(async () => {
  engine = await startEngine({ store, residentTailRuns: 2 });
  connection = await Connection.connect({ address: engine.address });
  client = new Client({ connection });
}, 60_000);
afterAll(async () => {
  await connection?.close();
  await engine?.stop();
});

test('a run whose task is queued keeps its tail past the cap: only runs whose tail had left before their deadline read it back', async () => {
  const svc = client.workflowService;
  const taskQueue = { name: 'queued-tails' };
  const sticky = { name: 'queued-tails-sticky' };
  // Idle the longest first: qt-c and qt-d's tails leave memory (cap 2), qt-a and qt-b's stay.
  const ids = ['qt-c', 'qt-d', 'qt-a', 'qt-b'];
  for (const workflowId of ids) {
    await svc.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'anything' }, taskQueue, requestId: `${workflowId}-start`, identity: 'test' });
    const first = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'test' });
    // The worker keeps the run cached: its next tasks go to its sticky queue, with the new events only.
    await svc.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: first.taskToken,
      identity: 'test',
      commands: [],
      stickyAttributes: { workerTaskQueue: sticky, scheduleToStartTimeout: msToTs('600s') },
    });
  }
  // A signal to each (a deadline passing, in the service), resident tails first: four tasks
  // queued over a cap of two. qt-c and qt-d coming back into memory pushed the queued qt-a and
  // qt-b out of it, and their polls read their tails back.
  for (const workflowId of ['qt-a', 'qt-b', 'qt-c', 'qt-d']) {
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'deadline', identity: 'test', requestId: `${workflowId}-signal` });
  }
  const readsBefore = store.eventReads;
  const polled: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: sticky.name, kind: 2 /* STICKY */, normalName: taskQueue.name }, identity: 'test' });
    polled.push(task.workflowExecution!.workflowId!);
    // The sticky task carries the events after the last started task: the signal's among them.
    expect(task.history?.events?.some((e) => e.eventType === 26 /* WORKFLOW_EXECUTION_SIGNALED */)).toBe(true);
    await svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: task.taskToken, identity: 'test', commands: [], stickyAttributes: { workerTaskQueue: sticky, scheduleToStartTimeout: msToTs('600s') } });
  }
  expect(polled.sort()).toEqual([...ids].sort());
  // qt-c and qt-d: their tails had left memory before the deadline; qt-a and qt-b kept theirs.
  expect(store.eventReads - readsBefore).toBe(2);
  // Once their tasks completed, the cap holds again.
  expect(engine.residentRuns().openWithTail).toBeLessThanOrEqual(2);
  for (const workflowId of ids) await svc.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'test over', identity: 'test' });
});
