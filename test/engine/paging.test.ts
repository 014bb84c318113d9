import { status } from '@grpc/grpc-js';
import { Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startEngine } from '../../engine';
import { eventually } from '../support/eventually';
import { startHarness, uid, type Harness } from './harness';
import { countQuery, incrementUpdate, stopSignal, updatable } from './workflows/messages';

/**
 * Hot state only (issue 9): open runs keep only the tail of their history in memory and closed
 * runs leave memory (here at once: a closed-run cache of 0), yet everything a client or worker
 * asks of them is answered from the store exactly as before. Sticky queues are off, so every
 * workflow task carries full history read back from the store.
 */
describe('paging: history and closed runs served from the store', () => {
  let h: Harness;
  const taskQueue = uid('paging');
  beforeAll(async () => {
    h = await startHarness('real', { sticky: false, closedRunCacheSize: 0 });
    await h.runWorker({ taskQueue, workflowsPath: require.resolve('./workflows/messages') });
  });
  afterAll(async () => h?.close());
  /** Closed runs still in memory, once the engine had the chance to let them go. */
  const outOfMemory = () => eventually(async () => h.engine.residentRuns().closed, (n) => n === 0);

  it('drives an open run whose older history left memory (full-history tasks, queries, history reads)', async () => {
    const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('open') });
    for (let i = 1; i <= 5; i++) expect(await handle.executeUpdate(incrementUpdate, { args: [i] })).toBe((i * (i + 1)) / 2);
    // A legacy query task (non-sticky: full history) replays the whole run on the worker.
    expect(await handle.query(countQuery)).toBe(15);
    const events = (await h.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: handle.workflowId } })).history!.events!;
    expect(events.map((e) => Number(e.eventId))).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    const described = await handle.describe();
    expect(described.historyLength).toBe(events.length);
    await handle.signal(stopSignal);
    expect(await handle.result()).toBe(5);
  });

  it('serves a closed run that left memory: result, describe, history, query, list and count', async () => {
    const workflowId = uid('closed');
    const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId });
    await handle.executeUpdate(incrementUpdate, { args: [7] });
    await handle.signal(stopSignal);
    expect(await handle.result()).toBe(1);
    // The close was the last write; with a cache of 0 the run is out of memory once it is idle.
    expect(await outOfMemory()).toBe(0);

    const fresh = h.client.workflow.getHandle(workflowId);
    expect(await fresh.result()).toBe(1);
    expect((await fresh.describe()).status.name).toBe('COMPLETED');
    expect(await fresh.query(countQuery)).toBe(7);
    const events = (await h.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } })).history!.events!;
    expect(events[events.length - 1].workflowExecutionCompletedEventAttributes).toBeTruthy();
    const listed: string[] = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) listed.push(wf.status.name);
    expect(listed).toEqual(['COMPLETED']);
    expect((await h.client.workflow.count(`WorkflowId = "${workflowId}" AND ExecutionStatus = "Completed"`)).count).toBe(1);
  });

  it('applies the id reuse policy and request-id de-duplication against a closed run out of memory', async () => {
    const workflowId = uid('reuse');
    const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId });
    await handle.signal(stopSignal);
    await handle.result();
    expect(await outOfMemory()).toBe(0);
    await expect(h.client.workflow.start(updatable, { taskQueue, workflowId, workflowIdReusePolicy: 'REJECT_DUPLICATE' })).rejects.toBeInstanceOf(
      WorkflowExecutionAlreadyStartedError,
    );
    const svc = h.connection.workflowService;
    const requestId = uid('req');
    const again = { namespace: 'default', workflowId, workflowType: { name: 'updatable' }, taskQueue: { name: taskQueue }, requestId };
    const first = await svc.startWorkflowExecution(again);
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'stop' });
    await h.client.workflow.getHandle(workflowId, first.runId!).result();
    expect(await outOfMemory()).toBe(0);
    // A retried start (same request id) of the run that closed and left memory finds that run.
    const retried = await svc.startWorkflowExecution(again);
    expect(retried.runId).toBe(first.runId);
  });
});

describe('paging: sticky tails of idle open runs', () => {
  let h: Harness;
  const taskQueue = uid('tails');
  beforeAll(async () => {
    // One open run keeps its sticky tail in memory; the others keep their last event only.
    h = await startHarness('real', { residentTailRuns: 1 });
    await h.runWorker({ taskQueue, workflowsPath: require.resolve('./workflows/messages') });
  });
  afterAll(async () => h?.close());

  it('drives sticky tasks of runs whose tail left memory, reading it back from the store', async () => {
    const handles = await Promise.all([0, 1, 2].map(() => h.client.workflow.start(updatable, { taskQueue, workflowId: uid('tail') })));
    // Round robin: each run's next task comes after the other two pushed its tail out of memory.
    for (let i = 1; i <= 4; i++) {
      for (const handle of handles) expect(await handle.executeUpdate(incrementUpdate, { args: [i] })).toBe((i * (i + 1)) / 2);
      expect(h.engine.residentRuns().openWithTail).toBeLessThanOrEqual(1);
    }
    for (const handle of handles) expect(await handle.query(countQuery)).toBe(10);
    for (const handle of handles) await handle.signal(stopSignal);
    expect(await Promise.all(handles.map((handle) => handle.result()))).toEqual([4, 4, 4]);
  });
});

describe('namespace retention', () => {
  it('deletes a run closed longer ago than the retention period, and only then', async () => {
    const engine = await startEngine({ clock: { kind: 'manual' }, retention: { days: 1, sweepEveryMs: 50 } });
    const connection = await Connection.connect({ address: engine.address });
    const svc = connection.workflowService;
    try {
      const workflowId = uid('retained');
      const taskQueue = uid('q');
      await svc.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'raw' }, taskQueue: { name: taskQueue }, requestId: uid('r') });
      const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue } });
      await svc.respondWorkflowTaskCompleted({
        taskToken: task.taskToken,
        commands: [{ commandType: temporal.api.enums.v1.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }],
      });
      const describe = () => svc.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } }).then(() => 'found', (err: { code?: number }) => `code ${err.code}`);
      // Half the retention period later (several sweeps ran) it is still there.
      engine.clock.advance!(12 * 3600_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(await describe()).toBe('found');
      engine.clock.advance!(13 * 3600_000);
      expect(await eventually(describe, (v) => v !== 'found')).toBe(`code ${status.NOT_FOUND}`);
      expect((await svc.countWorkflowExecutions({ namespace: 'default', query: `WorkflowId = "${workflowId}"` })).count?.toString()).toBe('0');
    } finally {
      await connection.close();
      await engine.stop();
    }
  });
});
