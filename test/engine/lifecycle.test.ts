import { status } from '@grpc/grpc-js';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { startHarness, uid, type Harness } from './harness';
import { cronTick, flakyWorkflow, goSignal, quick, sleepFor, tagger, waitForGo } from './workflows/lifecycle';

describe('start options, policies, timeouts, memo, search attributes and visibility', () => {
  let h: Harness;
  const taskQueue = uid('life');
  beforeAll(async () => {
    h = await startHarness();
    await h.runWorker({ taskQueue, workflowsPath: require.resolve('./workflows/lifecycle') });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a second start of a running workflow id, unless USE_EXISTING', async () => {
    const workflowId = uid('dup');
    const first = await h.client.workflow.start(waitForGo, { taskQueue, workflowId });
    await expect(h.client.workflow.start(waitForGo, { taskQueue, workflowId })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const same = await h.client.workflow.start(waitForGo, { taskQueue, workflowId, workflowIdConflictPolicy: 'USE_EXISTING' });
    expect(same.firstExecutionRunId).toBe(first.firstExecutionRunId);
    const replaced = await h.client.workflow.start(waitForGo, { taskQueue, workflowId, workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
    expect(replaced.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    expect((await h.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe()).status.name).toBe('TERMINATED');
    await replaced.terminate();
  });

  it('applies id reuse policies to closed runs', async () => {
    const workflowId = uid('reuse');
    await h.client.workflow.execute(quick, { taskQueue, workflowId });
    await expect(h.client.workflow.start(quick, { taskQueue, workflowId, workflowIdReusePolicy: 'REJECT_DUPLICATE' })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await expect(h.client.workflow.start(quick, { taskQueue, workflowId, workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(await h.client.workflow.execute(quick, { taskQueue, workflowId, workflowIdReusePolicy: 'ALLOW_DUPLICATE' })).toBe('done');
  });

  it('de-duplicates starts by request id', async () => {
    const svc = h.connection.workflowService;
    const req = { namespace: 'default', workflowId: uid('req'), workflowType: { name: 'quick' }, taskQueue: { name: taskQueue }, requestId: uid('rid') };
    const a = await svc.startWorkflowExecution(req);
    const b = await svc.startWorkflowExecution(req);
    expect(b.runId).toBe(a.runId);
  });

  it('signals with start: starts when absent, signals the running run otherwise', async () => {
    const workflowId = uid('sws');
    const handle = await h.client.workflow.signalWithStart(waitForGo, { taskQueue, workflowId, signal: goSignal, signalArgs: ['first'] });
    expect(await handle.result()).toBe('first');
    const running = await h.client.workflow.start(waitForGo, { taskQueue, workflowId: uid('sws2') });
    const again = await h.client.workflow.signalWithStart(waitForGo, { taskQueue, workflowId: running.workflowId, signal: goSignal, signalArgs: ['second'] });
    expect(again.signaledRunId).toBe((await running.describe()).runId);
    expect(await running.result()).toBe('second');
  });

  it('times out a run at its run timeout', async () => {
    const err = await h.client.workflow.execute(sleepFor, { taskQueue, workflowId: uid('rt'), args: [60_000], workflowRunTimeout: '300ms' }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause?.name).toBe('TimeoutFailure');
  });

  it('retries a failed workflow by its retry policy as new runs', async () => {
    const workflowId = uid('wretry');
    expect(await h.client.workflow.execute(flakyWorkflow, { taskQueue, workflowId, retry: { initialInterval: '10ms', maximumAttempts: 5 } })).toBe(3);
  });

  it('delays the first workflow task by startDelay', async () => {
    const handle = await h.client.workflow.start(quick, { taskQueue, workflowId: uid('delay'), startDelay: '400ms' });
    const t0 = Date.now();
    await handle.result();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it('stores memo and search attributes, applies upserts and lists with the query language', async () => {
    const prefix = uid('vis');
    const a = await h.client.workflow.start(tagger, { taskQueue, workflowId: `${prefix}-a`, args: ['open', 3], memo: { owner: 'wang' } });
    const b = await h.client.workflow.start(tagger, { taskQueue, workflowId: `${prefix}-b`, args: ['closed', 9] });
    await Promise.all([a.result(), b.result()]);
    const da = await a.describe();
    expect(da.memo).toEqual({ owner: 'wang', note: 'status open' });
    expect(da.searchAttributes.CustomKeywordField).toEqual(['open']);
    const ids = async (query: string) => {
      const out: string[] = [];
      for await (const wf of h.client.workflow.list({ query })) out.push(wf.workflowId);
      return out;
    };
    expect(await ids(`WorkflowId STARTS_WITH "${prefix}" AND CustomIntField > 5`)).toEqual([`${prefix}-b`]);
    expect(await ids(`WorkflowId STARTS_WITH "${prefix}" AND (CustomKeywordField = "open" OR CustomBoolField = true) ORDER BY WorkflowId DESC`)).toEqual([`${prefix}-b`, `${prefix}-a`]);
    expect(await ids(`WorkflowType = "tagger" AND ExecutionStatus = "Completed" AND WorkflowId IN ("${prefix}-a") AND StartTime > "2000-01-01T00:00:00Z"`)).toEqual([`${prefix}-a`]);
    expect((await h.client.workflow.count(`WorkflowId STARTS_WITH "${prefix}" AND CloseTime BETWEEN "2000-01-01T00:00:00Z" AND "2999-01-01T00:00:00Z"`)).count).toBe(2);
    const grouped = await h.client.workflow.count(`WorkflowId STARTS_WITH "${prefix}" GROUP BY ExecutionStatus`);
    expect(grouped).toEqual({ count: 2, groups: [{ count: 2, groupValues: [['Completed']] }] });
    await expect(ids('NoSuchAttribute = 1')).rejects.toMatchObject({ cause: { code: status.INVALID_ARGUMENT } });
    await expect(ids('WorkflowId = ')).rejects.toMatchObject({ cause: { code: status.INVALID_ARGUMENT } });
  });

  it('runs cron schedules as a chain of runs carrying the last completion result', async () => {
    const workflowId = uid('cron');
    const handle = await h.client.workflow.start(cronTick, { taskQueue, workflowId, cronSchedule: '@every 300ms' });
    const deadline = Date.now() + 10_000;
    let results: number[] = [];
    while (Date.now() < deadline && results.length < 2) {
      await new Promise((r) => setTimeout(r, 200));
      results = [];
      for await (const wf of h.client.workflow.list({ query: `WorkflowId = "${workflowId}" AND ExecutionStatus = "Completed"` })) {
        results.push(await h.client.workflow.getHandle(workflowId, wf.runId, { followRuns: false }).result());
      }
    }
    expect(results.sort()).toEqual(expect.arrayContaining([1, 2]));
    const d = await h.client.workflow.getHandle(workflowId).describe();
    expect(d.status.name).toBe('RUNNING');
    await handle.terminate('enough');
  });

  it('refuses undefined search attributes at start', async () => {
    await expect(h.client.workflow.start(quick, { taskQueue, workflowId: uid('badsa'), searchAttributes: { NotDefined: ['x'] } })).rejects.toMatchObject({ cause: { code: status.INVALID_ARGUMENT } });
  });
});
