import { status } from '@grpc/grpc-js';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startHarness, uid, type Harness } from './harness';
import { addSignal, cancellable, longLocal, doneSignal, failing, hello, sleeper, summer, totalQuery, withActivities } from './workflows/basics';

const workflowsPath = require.resolve('./workflows/basics');
const EventType = temporal.api.enums.v1.EventType;

describe('engine core (real clock)', () => {
  let h: Harness;
  const taskQueue = uid('core');

  beforeAll(async () => {
    h = await startHarness();
    await h.runWorker({ taskQueue, workflowsPath, activities: { echo: async (s: string) => s + '!', slowLocal: async (ms: number) => { await new Promise((r) => setTimeout(r, ms)); return `slow ${ms}`; } } });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  });

  it('answers GetSystemInfo and DescribeNamespace', async () => {
    const info = await h.connection.workflowService.getSystemInfo({});
    expect(info.capabilities?.sdkMetadata).toBe(true);
    const ns = await h.connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(ns.namespaceInfo?.name).toBe('default');
    // ShutdownWorker answers the worker's polls, so workers may rely on it.
    expect(ns.namespaceInfo?.capabilities?.workerPollCompleteOnShutdown).toBe(true);
  });

  it('rejects an unknown namespace with NOT_FOUND', async () => {
    await expect(h.connection.workflowService.describeNamespace({ namespace: 'nope' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('runs a workflow to completion with contiguous event ids', async () => {
    const workflowId = uid('hello');
    expect(await h.client.workflow.execute(hello, { taskQueue, workflowId, args: ['world'] })).toBe('hello world');
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    const ids = history.events!.map((e) => Number(e.eventId));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(history.events![0].eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    expect(history.events!.at(-1)!.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    const completed = history.events!.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!;
    expect(completed.workflowTaskCompletedEventAttributes?.sdkMetadata).toBeTruthy();
  });

  it('reports a workflow failure', async () => {
    const err = await h.client.workflow.execute(failing, { taskQueue, workflowId: uid('fail'), args: ['bad'] }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause?.message).toBe('bad');
    expect(err.cause?.type).toBe('Boom');
  });

  it('delivers signals in order and answers queries', async () => {
    const handle = await h.client.workflow.start(summer, { taskQueue, workflowId: uid('sum') });
    await handle.signal(addSignal, 1);
    await handle.signal(addSignal, 2);
    expect(await handle.query(totalQuery)).toBe(3);
    await handle.signal(addSignal, 3);
    await handle.signal(doneSignal);
    expect(await handle.result()).toBe(6);
    // A query on a closed workflow replays its history.
    expect(await handle.query(totalQuery)).toBe(6);
  });

  it('runs activities, local activities and patches', async () => {
    expect(await h.client.workflow.execute(withActivities, { taskQueue, workflowId: uid('act'), args: ['a'] })).toBe('a!!/patched');
  });

  it('describes, cancels and terminates', async () => {
    const handle = await h.client.workflow.start(sleeper, { taskQueue, workflowId: uid('cancel'), args: [60_000] });
    const d = await handle.describe();
    expect(d.status.name).toBe('RUNNING');
    expect(d.type).toBe('sleeper');
    await handle.cancel();
    expect(await handle.result()).toBe('cancelled');
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    const t = await h.client.workflow.start(cancellable, { taskQueue, workflowId: uid('term') });
    await t.terminate('enough');
    expect((await t.describe()).status.name).toBe('TERMINATED');
    await expect(t.result()).rejects.toThrow(WorkflowFailedError);
  });

  it('keeps a workflow task alive while a local activity outlives its timeout', async () => {
    const workflowId = uid('lla');
    expect(await h.client.workflow.execute(longLocal, { taskQueue, workflowId, args: [2500], workflowTaskTimeout: '1s' })).toBe('slow 2500');
    const events = (await h.client.workflow.getHandle(workflowId).fetchHistory()).events!;
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)).toBe(false);
  });

  it('maps unknown workflows to WorkflowNotFoundError', async () => {
    await expect(h.client.workflow.getHandle('does-not-exist').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
