import { proxyActivities, sleep } from '@temporalio/workflow';

export interface SleepActivities {
  /** Sleeps on the test environment's clock (`TestWorkflowEnvironment.sleep`). */
  sleepOnTestClock(ms: number): Promise<void>;
}

const { sleepOnTestClock } = proxyActivities<SleepActivities>({ scheduleToCloseTimeout: '1 day' });

/**
 * Races a workflow timer against an activity that sleeps on the test clock; both are long, so
 * the race only ends fast when the activity's sleep lets time skip. Waits for the activity too.
 */
export async function timerAgainstSleepingActivity(timerMs: number, activityMs: number): Promise<string> {
  const timer = sleep(timerMs).then(() => 'timer');
  const activity = sleepOnTestClock(activityMs).then(() => 'activity');
  const winner = await Promise.race([timer, activity]);
  await activity;
  return winner;
}
