import { Context } from '@temporalio/activity';
import { ApplicationFailure, RetryState, TimeoutType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { startHarness, uid, type Harness } from './harness';
import { cancelActivities, explicitDelay, failureOf, heartbeatDetails, retried, scheduleToStart } from './workflows/activities';

const workflowsPath = require.resolve('./workflows/activities');

describe('activities', () => {
  let h: Harness;
  const taskQueue = uid('acts');
  const counts = new Map<string, number>();
  const bump = (key: string) => {
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    return n;
  };
  const attemptTimes: number[] = [];

  beforeAll(async () => {
    h = await startHarness();
    await h.runWorker({
      taskQueue,
      workflowsPath,
      activities: {
        async failTimes(key: string, times: number, nonRetryableType?: string) {
          const n = bump(key);
          if (n <= times) throw ApplicationFailure.create({ message: `fail ${n}`, type: nonRetryableType ?? 'Transient' });
          return Context.current().info.attempt;
        },
        async alwaysNonRetryable() {
          bump('nonRetryable');
          throw ApplicationFailure.nonRetryable('no way', 'Nope');
        },
        async slow(ms: number) {
          await new Promise((r) => setTimeout(r, ms));
          return 'slow done';
        },
        async heartbeater(key: string) {
          const ctx = Context.current();
          const seen = ctx.info.heartbeatDetails as string | undefined;
          ctx.heartbeat(`progress-${ctx.info.attempt}`);
          if (ctx.info.attempt === 1) {
            await new Promise((r) => setTimeout(r, 100));
            throw new Error(`first attempt of ${key} fails`);
          }
          return `attempt ${ctx.info.attempt} saw ${seen}`;
        },
        async waitForCancel() {
          const ctx = Context.current();
          for (;;) {
            ctx.heartbeat();
            await new Promise((r) => setTimeout(r, 50));
            if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('cancelled');
          }
        },
        async delayedRetry(key: string) {
          const n = bump(key);
          attemptTimes.push(Date.now());
          if (n === 1) throw ApplicationFailure.create({ message: 'later', nextRetryDelay: '200ms' });
          return n;
        },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  });

  const run = <T>(wf: (...args: any[]) => Promise<T>, args: unknown[]) => h.client.workflow.execute(wf as any, { taskQueue, workflowId: uid('a'), args }) as Promise<T>;

  it('retries server-side and records one ActivityTaskStarted with the final attempt and last failure', async () => {
    const key = uid('k');
    const workflowId = uid('retried');
    expect(await h.client.workflow.execute(retried, { taskQueue, workflowId, args: [key, 2, 5] })).toBe(3);
    const events = (await h.client.workflow.getHandle(workflowId).fetchHistory()).events!;
    const started = events.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    expect(started).toHaveLength(1);
    expect(started[0].activityTaskStartedEventAttributes?.attempt).toBe(3);
    expect(started[0].activityTaskStartedEventAttributes?.lastFailure?.message).toBe('fail 2');
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
    // Timeouts are filled like the server does.
    expect(Number(scheduled.scheduleToStartTimeout?.seconds ?? 0) + Number(scheduled.scheduleToStartTimeout?.nanos ?? 0)).toBe(0);
    expect(Number(scheduled.startToCloseTimeout?.seconds)).toBe(5);
  });

  it('stops after maximumAttempts', async () => {
    expect(await run(failureOf, ['attempts'])).toBe(`${RetryState.MAXIMUM_ATTEMPTS_REACHED}|ApplicationFailure|Transient`);
  });

  it('does not retry non-retryable failures or nonRetryableErrorTypes', async () => {
    expect(await run(failureOf, ['nonRetryable'])).toBe(`${RetryState.NON_RETRYABLE_FAILURE}|ApplicationFailure|Nope`);
    expect(counts.get('nonRetryable')).toBe(1);
    expect(await run(failureOf, ['errorType'])).toBe(`${RetryState.NON_RETRYABLE_FAILURE}|ApplicationFailure|Fatal`);
  });

  it('times out start-to-close and heartbeat, retrying up to the policy', async () => {
    expect(await run(failureOf, ['startToClose'])).toBe(`${RetryState.MAXIMUM_ATTEMPTS_REACHED}|TimeoutFailure|${TimeoutType.START_TO_CLOSE}`);
    expect(await run(failureOf, ['heartbeat'])).toBe(`${RetryState.MAXIMUM_ATTEMPTS_REACHED}|TimeoutFailure|${TimeoutType.HEARTBEAT}`);
  });

  it('ends retries at the schedule-to-close timeout', async () => {
    const r = await run(failureOf, ['scheduleToClose']);
    expect(r).toMatch(new RegExp(`^${RetryState.TIMEOUT}\\|`));
  });

  it('times out schedule-to-start when nobody polls the queue', async () => {
    expect(await run(scheduleToStart, [])).toBe(`${RetryState.TIMEOUT}|${TimeoutType.SCHEDULE_TO_START}`);
  });

  it('carries heartbeat details to the next attempt', async () => {
    expect(await run(heartbeatDetails, [uid('hb')])).toBe('attempt 2 saw progress-1');
  });

  it('cancels a running activity through its heartbeat and a waiting one at once', async () => {
    expect(await run(cancelActivities, [])).toEqual(['cancelled', 'cancelled-in-backoff']);
  });

  it('honours nextRetryDelay over the policy interval', async () => {
    attemptTimes.length = 0;
    expect(await run(explicitDelay, [uid('d')])).toBe(2);
    const gap = attemptTimes[1] - attemptTimes[0];
    expect(gap).toBeGreaterThanOrEqual(150);
    expect(gap).toBeLessThan(5000);
  });
});
