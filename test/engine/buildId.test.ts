import { startHarness, uid, type Harness } from './harness';
import { buildIdQuery, buildIdTester, unblockSignal } from './workflows/buildId';

/** Build ids travel in WorkflowTaskCompleted so that a replaying worker sees who ran each task. */
describe('worker build ids', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('replays with the build id of the worker that completed each task, and lists it in BuildIds as Temporal does for unversioned workers', async () => {
    const taskQueue = uid('build');
    const workflowsPath = require.resolve('./workflows/buildId');
    const workflowId = uid('b');
    const w1 = await h.worker({ taskQueue, workflowsPath, buildId: '1.0' });
    await w1.runUntil(async () => {
      const handle = await h.client.workflow.start(buildIdTester, { taskQueue, workflowId });
      expect(await handle.query(buildIdQuery)).toBe('1.0');
    });
    await h.connection.workflowService.resetStickyTaskQueue({ namespace: 'default', execution: { workflowId } });
    const w2 = await h.worker({ taskQueue, workflowsPath, buildId: '1.1' });
    await w2.runUntil(async () => {
      const handle = h.client.workflow.getHandle(workflowId);
      expect(await handle.query(buildIdQuery)).toBe('1.0');
      await handle.signal(unblockSignal);
      expect(await handle.query(buildIdQuery)).toBe('1.1');
      const d = await handle.describe();
      expect(d.searchAttributes.BuildIds).toEqual(['unversioned', 'unversioned:1.0', 'unversioned:1.1']);
      expect(d.searchAttributes.BinaryChecksums).toBeUndefined();
      await handle.terminate();
    });
  });
});
