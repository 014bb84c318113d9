import { invalidArgument } from '../errors';
import { durationToMs, msToDuration, type Msg } from '../proto';

/**
 * Activity timeouts and retries the way Temporal's history service computes them.
 * Pure functions: no clock, no state.
 */

/** Fills the timeouts of a ScheduleActivityTask command like the server (capped by the run timeout). */
export function fillActivityTimeouts(attrs: Msg, runTimeoutMs: number): Msg {
  let scheduleToClose = durationToMs(attrs.scheduleToCloseTimeout);
  let scheduleToStart = durationToMs(attrs.scheduleToStartTimeout);
  let startToClose = durationToMs(attrs.startToCloseTimeout);
  let heartbeat = durationToMs(attrs.heartbeatTimeout);
  if (scheduleToClose < 0 || scheduleToStart < 0 || startToClose < 0 || heartbeat < 0) {
    throw invalidArgument('activity timeouts must not be negative');
  }
  if (scheduleToClose > 0) {
    if (runTimeoutMs > 0) scheduleToClose = Math.min(scheduleToClose, runTimeoutMs);
    scheduleToStart = scheduleToStart > 0 ? Math.min(scheduleToStart, scheduleToClose) : scheduleToClose;
    startToClose = startToClose > 0 ? Math.min(startToClose, scheduleToClose) : scheduleToClose;
  } else if (startToClose > 0) {
    // Without a schedule-to-close bound the run timeout is the bound (0 = none).
    scheduleToClose = runTimeoutMs;
    if (scheduleToStart <= 0) scheduleToStart = runTimeoutMs;
  } else {
    throw invalidArgument('a valid StartToClose or ScheduleToCloseTimeout is not set on the activity');
  }
  if (heartbeat > startToClose && startToClose > 0) heartbeat = startToClose;
  return {
    ...attrs,
    scheduleToCloseTimeout: msToDuration(scheduleToClose),
    scheduleToStartTimeout: msToDuration(scheduleToStart),
    startToCloseTimeout: msToDuration(startToClose),
    heartbeatTimeout: msToDuration(heartbeat),
    retryPolicy: fillRetryPolicy(attrs.retryPolicy),
  };
}

/** Server defaults: 1 s initial interval, coefficient 2, maximum 100 x initial, unlimited attempts. */
export function fillRetryPolicy(policy: Msg | undefined): Msg {
  const p = { ...(policy ?? {}) };
  const initial = durationToMs(p.initialInterval) || 1000;
  const coefficient = Number(p.backoffCoefficient) || 2;
  if (coefficient < 1) throw invalidArgument('retry policy backoffCoefficient must be >= 1');
  const maximum = durationToMs(p.maximumInterval) || 100 * initial;
  if (maximum < initial) throw invalidArgument('retry policy maximumInterval must be >= initialInterval');
  if (Number(p.maximumAttempts ?? 0) < 0) throw invalidArgument('retry policy maximumAttempts must not be negative');
  return {
    ...p,
    initialInterval: msToDuration(initial),
    backoffCoefficient: coefficient,
    maximumInterval: msToDuration(maximum),
    maximumAttempts: Number(p.maximumAttempts ?? 0),
    nonRetryableErrorTypes: p.nonRetryableErrorTypes ?? [],
  };
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; retryState: string };

/**
 * Whether a failed attempt is retried. `failure` is the attempt's failure (application failure,
 * timeout...), `deadline` the schedule-to-close bound (0 = none).
 */
export function decideRetry(policy: Msg | undefined, attempt: number, failure: Msg | undefined, now: number, deadline: number): RetryDecision {
  if (!policy) return { retry: false, retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET' };
  const app = failure?.applicationFailureInfo;
  if (app?.nonRetryable) return { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' };
  const type: string | undefined = app?.type ?? (failure?.timeoutFailureInfo ? timeoutTypeName(failure.timeoutFailureInfo.timeoutType) : undefined);
  if (type && (policy.nonRetryableErrorTypes ?? []).includes(type)) {
    return { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' };
  }
  const maxAttempts = Number(policy.maximumAttempts ?? 0);
  if (maxAttempts > 0 && attempt >= maxAttempts) return { retry: false, retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' };
  const initial = durationToMs(policy.initialInterval) || 1000;
  const coefficient = Number(policy.backoffCoefficient) || 2;
  const maximum = durationToMs(policy.maximumInterval) || 100 * initial;
  const explicit = app?.nextRetryDelay ? durationToMs(app.nextRetryDelay) : 0;
  const delayMs = explicit > 0 ? explicit : Math.min(initial * Math.pow(coefficient, attempt - 1), maximum);
  if (deadline > 0 && now + delayMs >= deadline) return { retry: false, retryState: 'RETRY_STATE_TIMEOUT' };
  return { retry: true, delayMs };
}

/** The error type name Temporal matches in nonRetryableErrorTypes for timeouts. */
function timeoutTypeName(timeoutType: string | undefined): string {
  switch (timeoutType) {
    case 'TIMEOUT_TYPE_START_TO_CLOSE':
      return 'TemporalTimeout:StartToClose';
    case 'TIMEOUT_TYPE_HEARTBEAT':
      return 'TemporalTimeout:Heartbeat';
    case 'TIMEOUT_TYPE_SCHEDULE_TO_START':
      return 'TemporalTimeout:ScheduleToStart';
    default:
      return 'TemporalTimeout:ScheduleToClose';
  }
}

/** Builds the server-side timeout failure an activity or workflow gets. */
export function timeoutFailure(timeoutType: string, lastHeartbeatDetails?: Msg, cause?: Msg): Msg {
  const label = timeoutType.replace('TIMEOUT_TYPE_', '').toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
  const failure: Msg = {
    message: `activity ${label} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType, ...(lastHeartbeatDetails ? { lastHeartbeatDetails } : {}) },
  };
  if (cause) failure.cause = cause;
  return failure;
}
