import { ActivityFailure, CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';

export interface TestActivities {
  failTimes(key: string, times: number, nonRetryableType?: string): Promise<number>;
  alwaysNonRetryable(): Promise<void>;
  slow(ms: number): Promise<string>;
  heartbeater(key: string): Promise<string>;
  waitForCancel(): Promise<string>;
  delayedRetry(key: string): Promise<number>;
}

const fast = { initialInterval: '10ms', backoffCoefficient: 1, maximumInterval: '10ms' } as const;

/** Fails `times` times, then succeeds; returns the attempt number. */
export async function retried(key: string, times: number, maximumAttempts: number): Promise<number> {
  const { failTimes } = proxyActivities<TestActivities>({ startToCloseTimeout: '5s', retry: { ...fast, maximumAttempts } });
  return failTimes(key, times);
}

/** Describes the failure an activity ended with (cause type, retry state, timeout type). */
export async function failureOf(kind: 'nonRetryable' | 'errorType' | 'startToClose' | 'heartbeat' | 'scheduleToClose' | 'attempts'): Promise<string> {
  const acts = proxyActivities<TestActivities>({
    startToCloseTimeout: kind === 'startToClose' ? '300ms' : '5s',
    heartbeatTimeout: kind === 'heartbeat' ? '300ms' : undefined,
    scheduleToCloseTimeout: kind === 'scheduleToClose' ? '500ms' : undefined,
    retry: { ...fast, maximumAttempts: kind === 'attempts' ? 3 : kind === 'startToClose' || kind === 'heartbeat' ? 2 : undefined, nonRetryableErrorTypes: ['Fatal'] },
  });
  try {
    if (kind === 'nonRetryable') await acts.alwaysNonRetryable();
    else if (kind === 'errorType') await acts.failTimes(`et-${Math.random()}`, 100, 'Fatal');
    else if (kind === 'startToClose') await acts.slow(2000);
    else if (kind === 'heartbeat') await acts.slow(2000);
    else if (kind === 'scheduleToClose') await acts.failTimes(`s2c-${Math.random()}`, 1000);
    else await acts.failTimes(`att-${Math.random()}`, 100);
    return 'no failure';
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause as { name?: string; type?: string; timeoutType?: number } | undefined;
    return `${err.retryState}|${cause?.name}|${cause?.type ?? cause?.timeoutType ?? ''}`;
  }
}

/** Heartbeats details; the second attempt sees the first attempt's details. */
export async function heartbeatDetails(key: string): Promise<string> {
  const { heartbeater } = proxyActivities<TestActivities>({ startToCloseTimeout: '5s', heartbeatTimeout: '2s', retry: { ...fast, maximumAttempts: 2 } });
  return heartbeater(key);
}

/** Cancels a running activity (reported via heartbeat) and one that is still waiting for a retry. */
export async function cancelActivities(): Promise<string[]> {
  const { waitForCancel } = proxyActivities<TestActivities>({ startToCloseTimeout: '10s', heartbeatTimeout: '1s' });
  const out: string[] = [];
  await CancellationScope.cancellable(async () => {
    const p = waitForCancel();
    await sleep(300);
    CancellationScope.current().cancel();
    try {
      out.push(await p);
    } catch (err) {
      out.push(isCancellation(err) ? 'cancelled' : `other: ${(err as Error).message}`);
    }
  });
  const { failTimes } = proxyActivities<TestActivities>({ startToCloseTimeout: '10s', retry: { initialInterval: '1 hour' } });
  await CancellationScope.cancellable(async () => {
    const p = failTimes(`c-${Math.random()}`, 1);
    await sleep(300);
    CancellationScope.current().cancel();
    try {
      await p;
      out.push('completed');
    } catch (err) {
      out.push(isCancellation(err) ? 'cancelled-in-backoff' : `other: ${(err as Error).message}`);
    }
  });
  return out;
}

/** An activity that asks for its own retry delay (nextRetryDelay). */
export async function explicitDelay(key: string): Promise<number> {
  const { delayedRetry } = proxyActivities<TestActivities>({ startToCloseTimeout: '5s', retry: { initialInterval: '1 hour' } });
  return delayedRetry(key);
}

export async function scheduleToStart(): Promise<string> {
  const acts = proxyActivities<TestActivities>({ scheduleToStartTimeout: '300ms', startToCloseTimeout: '5s', taskQueue: 'nobody-listens-here' });
  try {
    await acts.slow(1);
    return 'ran';
  } catch (err) {
    if (err instanceof ActivityFailure) return `${err.retryState}|${(err.cause as { timeoutType?: number })?.timeoutType}`;
    throw err;
  }
}

