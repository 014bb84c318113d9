import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { approveUpdate, finishSignal, longSleeper, stageQuery } from './workflows/timeSkipping';

describe('time-skipping environment on the engine', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  }, 30_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('sleeps 30 days, retries with hour-long backoff, answers query and update, in under a second', async () => {
    let calls = 0;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'ts-sleeper',
      workflowsPath: require.resolve('./workflows/timeSkipping'),
      activities: {
        async flaky(label: string) {
          calls++;
          if (calls < 3) throw new Error(`transient ${calls}`);
          return `${label}-done-after-${calls}`;
        },
      },
    });
    await worker.runUntil(async () => {
      const startedAt = await env.currentTimeMs();
      const handle = await env.client.workflow.start(longSleeper, { taskQueue: 'ts-sleeper', workflowId: 'sleeper-1' });
      expect(await handle.query(stageQuery)).toBe('sleeping');
      const wall = Date.now();
      // Waiting for the result unlocks time: 30 days and two 1-hour backoffs pass at once.
      await expect(handle.executeUpdate(approveUpdate, { args: [''] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      const resultPromise = handle.result();
      await env.sleep('31 days');
      expect(await handle.query(stageQuery)).toBe('waiting');
      expect(await handle.executeUpdate(approveUpdate, { args: ['ming'] })).toBe('approved by ming');
      await handle.signal(finishSignal);
      expect(await resultPromise).toBe('x-done-after-3/ming');
      // Skipped, not waited: one 1-hour backoff alone would take an hour of wall time. The bound
      // is loose on purpose (a loaded 2-core machine can take seconds for these round trips).
      expect(Date.now() - wall).toBeLessThan(30_000);
      const skipped = (await env.currentTimeMs()) - startedAt;
      expect(skipped).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000 + 2 * 3600 * 1000);
    });
  });
});
