import { WorkflowFailedError } from '@temporalio/client';
import { startHarness, uid, type Harness } from './harness';
import { abandoningParent, cancelOther, parent, signalMissing, waitingChild } from './workflows/children';
import { counter, infoReporter } from './workflows/basics';

describe('child workflows, external workflows and continue-as-new', () => {
  let h: Harness;
  const taskQueue = uid('children');
  let stop: () => Promise<void>;
  beforeAll(async () => {
    h = await startHarness();
    const w1 = await h.worker({ taskQueue, workflowsPath: require.resolve('./workflows/children') });
    const w2 = await h.worker({ taskQueue: `${taskQueue}-basics`, workflowsPath: require.resolve('./workflows/basics') });
    const r1 = w1.run();
    const r2 = w2.run();
    stop = async () => {
      w1.shutdown();
      w2.shutdown();
      await Promise.all([r1, r2]);
    };
  }, 30_000);
  afterAll(async () => {
    await stop?.();
    await h?.close();
  });

  it('starts children, gets results and failures, signals and cancels them', async () => {
    const workflowId = uid('parent');
    expect(await h.client.workflow.execute(parent, { taskQueue, workflowId })).toEqual(['42', 'failed: child broke', 'hi', 'child cancelled']);
    const child = await h.client.workflow.getHandle(`${workflowId}-waiter`).describe();
    expect(child.parentExecution?.workflowId).toBe(workflowId);
  });

  it.each([
    ['TERMINATE', 'TERMINATED'],
    ['REQUEST_CANCEL', 'CANCELLED'],
    ['ABANDON', 'RUNNING'],
  ] as const)('applies parent close policy %s', async (policy, childStatus) => {
    const childId = await h.client.workflow.execute(abandoningParent, { taskQueue, workflowId: uid('pcp'), args: [policy] });
    const handle = h.client.workflow.getHandle(childId);
    if (childStatus === 'CANCELLED') await handle.result().catch(() => undefined);
    expect((await handle.describe()).status.name).toBe(childStatus);
    if (childStatus === 'RUNNING') await handle.terminate();
  });

  it('fails a signal to a workflow that does not exist', async () => {
    expect(await h.client.workflow.execute(signalMissing, { taskQueue, workflowId: uid('sig') })).toMatch(/^failed/);
  });

  it('cancels another workflow', async () => {
    const target = await h.client.workflow.start(waitingChild, { taskQueue, workflowId: uid('target') });
    expect(await h.client.workflow.execute(cancelOther, { taskQueue, workflowId: uid('canceller'), args: [target.workflowId] })).toBe('requested');
    expect(await target.result()).toBe('child cancelled');
  });

  it('continues as new, and result() follows the chain', async () => {
    const workflowId = uid('can');
    const handle = await h.client.workflow.start(counter, { taskQueue: `${taskQueue}-basics`, workflowId, args: [0, 3] });
    expect(await handle.result()).toBe(3);
    const latest = await h.client.workflow.getHandle(workflowId).describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const first = await h.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
  });

  it('keeps firstExecutionRunId across runs', async () => {
    const r = await h.client.workflow.execute(infoReporter, { taskQueue: `${taskQueue}-basics`, workflowId: uid('info') });
    expect(r.firstRunId).toBe(r.runId);
    expect(r.attempt).toBe(1);
  });

  it('times a parent out at its execution timeout', async () => {
    const err = await h.client.workflow
      .execute(parent, { taskQueue, workflowId: uid('p'), workflowExecutionTimeout: '1ms' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause?.name).toBe('TimeoutFailure');
  });
});
