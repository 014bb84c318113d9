import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { timerAgainstSleepingActivity } from './workflows/activitySleep';

// An activity that calls env.sleep() (UnlockTimeSkippingWithSleep) releases the time-skipping lock
// its own attempt holds, as on the Java test server: time jumps while it sleeps and the lock is
// balanced again when it wakes, so later timers still skip.
describe('time skipping while an activity sleeps on the test clock', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  }, 30_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('lets time jump for the sleeping activity and keeps skipping afterwards', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'ts-activity-sleep',
      workflowsPath: require.resolve('./workflows/activitySleep'),
      activities: { sleepOnTestClock: (ms: number) => env.sleep(ms) },
    });
    await worker.runUntil(async () => {
      const wall = Date.now();
      const startedAt = await env.currentTimeMs();
      const run = (timerMs: number, activityMs: number) =>
        env.client.workflow.execute(timerAgainstSleepingActivity, {
          taskQueue: 'ts-activity-sleep',
          workflowId: `activity-sleep-${timerMs}-${activityMs}`,
          args: [timerMs, activityMs],
        });
      expect(await run(1_500_000, 1_000_000)).toBe('activity');
      expect(await run(1_000_000, 1_500_000)).toBe('timer');
      // The races ended at 1 000 000 and 1 500 000 virtual ms; the wall clock saw a few seconds at most.
      expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(2_500_000);
      expect(Date.now() - wall).toBeLessThan(10_000);
    });
  }, 30_000);
});
