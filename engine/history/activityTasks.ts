/**
 * Activity tasks of a run (Temporal: the activity parts of service/history and its timer queue):
 * queuing attempts on their task queue, starting them for a poller, their schedule-to-start,
 * start-to-close, schedule-to-close and heartbeat timeouts, server-side retries, and writing the
 * final outcome. The rules themselves (retry decisions, timeout failures) are in activityPolicy.ts.
 */
import { randomUUID } from 'node:crypto';
import { invalidArgument, notFound } from '../errors';
import { durationToMs, msToTimestamp, type Msg } from '../proto';
import { decideRetry, timeoutFailure } from './activityPolicy';
import type { ActivityState, Execution } from './execution';
import type { HistoryService } from './historyService';
import { encodeToken, type TaskToken } from './tokens';
import { scheduleWorkflowTask } from './workflowTasks';

/** Queues an activity attempt on its task queue, with its schedule-to-start timeout. */
export function enqueueActivity(history: HistoryService, exec: Execution, act: ActivityState): void {
  const now = history.now();
  act.phase = 'scheduled';
  act.currentAttemptScheduledTime = now;
  const s2s = durationToMs(act.attrs.scheduleToStartTimeout);
  const s2c = durationToMs(act.attrs.scheduleToCloseTimeout);
  if (s2s > 0 && (s2c === 0 || s2s <= s2c)) {
    const attempt = act.attempt;
    act.timers.scheduleToStart = history.deps.timers.schedule(now + s2s, () => {
      if (act.phase === 'scheduled' && act.attempt === attempt) timeOutActivity(history, exec, act, 'TIMEOUT_TYPE_SCHEDULE_TO_START');
    });
  }
  const sid = act.scheduledEventId;
  const attempt = act.attempt;
  history.deps.matching.add(exec.namespace, 'activity', act.attrs.taskQueue.name, {
    dispatch: (poll) => startActivity(history, exec, sid, attempt, poll),
  });
}

/** Starts the whole-activity schedule-to-close clock (once, at scheduling). */
export function armScheduleToClose(history: HistoryService, exec: Execution, act: ActivityState): void {
  const s2c = durationToMs(act.attrs.scheduleToCloseTimeout);
  if (s2c > 0) {
    act.timers.scheduleToClose = history.deps.timers.schedule(act.scheduledTime + s2c, () => {
      if (exec.activities.get(act.scheduledEventId) === act) timeOutActivity(history, exec, act, 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE');
    });
  }
}

/**
 * Puts back an activity task whose poller went away before the answer left (no event was
 * written for the start, so the attempt is simply queued again).
 */
export function returnActivityTask(history: HistoryService, token: TaskToken): void {
  if (token.k !== 'act') return;
  const exec = history.findRun(token.ns, token.wid, token.rid);
  const act = exec?.activities.get(token.sid);
  if (!exec || !act || act.phase !== 'started' || act.attempt !== token.att) return;
  const t = history.deps.timers;
  t.cancel(act.timers.startToClose);
  t.cancel(act.timers.heartbeat);
  act.timers.startToClose = act.timers.heartbeat = undefined;
  act.startedTime = undefined;
  act.startedIdentity = undefined;
  enqueueActivity(history, exec, act);
}

/** Eager execution: the completing worker gets the first attempt in its completion response. */
export function startActivityEagerly(history: HistoryService, exec: Execution, act: ActivityState, identity: string): Msg | null {
  act.phase = 'scheduled';
  act.currentAttemptScheduledTime = history.now();
  return startActivity(history, exec, act.scheduledEventId, act.attempt, { identity });
}

function startActivity(history: HistoryService, exec: Execution, sid: number, attempt: number, poll: Msg): Msg | null {
  const act = exec.activities.get(sid);
  if (!exec.isOpen || !act || act.phase !== 'scheduled' || act.attempt !== attempt) return null;
  const now = history.now();
  history.deps.timers.cancel(act.timers.scheduleToStart);
  act.timers.scheduleToStart = undefined;
  act.phase = 'started';
  act.startedTime = now;
  act.startedIdentity = poll.identity ?? '';
  act.startedRequestId = randomUUID();
  const s2c = durationToMs(act.attrs.startToCloseTimeout);
  if (s2c > 0) {
    act.timers.startToClose = history.deps.timers.schedule(now + s2c, () => {
      if (act.phase === 'started' && act.attempt === attempt) timeOutActivity(history, exec, act, 'TIMEOUT_TYPE_START_TO_CLOSE');
    });
  }
  armHeartbeatTimer(history, exec, act);
  history.deps.onChange();
  return {
    taskToken: encodeToken({ k: 'act', ns: exec.namespace, wid: exec.workflowId, rid: exec.runId, sid, att: attempt }),
    workflowNamespace: exec.namespace,
    workflowType: { name: exec.workflowType },
    workflowExecution: { workflowId: exec.workflowId, runId: exec.runId },
    activityType: act.attrs.activityType,
    activityId: act.activityId,
    header: act.attrs.header,
    input: act.attrs.input,
    heartbeatDetails: act.heartbeatDetails,
    scheduledTime: msToTimestamp(act.scheduledTime),
    currentAttemptScheduledTime: msToTimestamp(act.currentAttemptScheduledTime),
    startedTime: msToTimestamp(now),
    attempt,
    scheduleToCloseTimeout: act.attrs.scheduleToCloseTimeout,
    startToCloseTimeout: act.attrs.startToCloseTimeout,
    heartbeatTimeout: act.attrs.heartbeatTimeout,
    retryPolicy: act.attrs.retryPolicy,
    priority: act.attrs.priority,
  };
}

export function armHeartbeatTimer(history: HistoryService, exec: Execution, act: ActivityState): void {
  history.deps.timers.cancel(act.timers.heartbeat);
  act.timers.heartbeat = undefined;
  const hb = durationToMs(act.attrs.heartbeatTimeout);
  if (hb <= 0) return;
  const attempt = act.attempt;
  act.timers.heartbeat = history.deps.timers.schedule(history.now() + hb, () => {
    if (act.phase === 'started' && act.attempt === attempt) timeOutActivity(history, exec, act, 'TIMEOUT_TYPE_HEARTBEAT');
  });
}

export function clearActivityTimers(history: HistoryService, act: ActivityState): void {
  const t = history.deps.timers;
  t.cancel(act.timers.scheduleToClose);
  t.cancel(act.timers.scheduleToStart);
  t.cancel(act.timers.startToClose);
  t.cancel(act.timers.heartbeat);
  t.cancel(act.timers.retry);
  act.timers = {};
}

/** The started attempt an activity token names, or NOT_FOUND (the worker then drops the task). */
export function runningActivity(history: HistoryService, token: TaskToken): { exec: Execution; act: ActivityState } {
  if (token.k !== 'act') throw invalidArgument('not an activity task token');
  const exec = history.findRun(token.ns, token.wid, token.rid);
  const act = exec?.activities.get(token.sid);
  if (!exec || !exec.isOpen || !act || act.phase !== 'started' || act.attempt !== token.att) {
    throw notFound('activity task not found');
  }
  return { exec, act };
}

/** Finds the running attempt of an activity by workflow and activity id (the *ById calls). */
export function runningActivityById(history: HistoryService, namespace: string, workflowId: string, runId: string | undefined, activityId: string): { exec: Execution; act: ActivityState } {
  const exec = history.getRun(namespace, workflowId, runId);
  for (const act of exec.activities.values()) {
    if (act.activityId === activityId && act.phase === 'started' && exec.isOpen) return { exec, act };
  }
  throw notFound('activity task not found');
}

/** Writes the final outcome of an activity: its started event (with the attempt) and the outcome. */
export function finishActivity(history: HistoryService, exec: Execution, act: ActivityState, outcome: string, attrs: Msg, withStarted: boolean): void {
  clearActivityTimers(history, act);
  exec.activities.delete(act.scheduledEventId);
  const now = history.now();
  if (withStarted) {
    const startedAttrs = { scheduledEventId: act.scheduledEventId, identity: act.startedIdentity ?? '', requestId: act.startedRequestId ?? '', attempt: act.attempt, lastFailure: act.lastFailure };
    if (exec.wtInFlight) {
      exec.buffered.push({ name: 'ActivityTaskStarted', attrs: startedAttrs, time: act.startedTime ?? now });
      exec.buffered.push({ name: outcome, attrs: { ...attrs, scheduledEventId: act.scheduledEventId, startedEventId: -1 }, time: now });
    } else {
      const started = exec.append('ActivityTaskStarted', startedAttrs, act.startedTime ?? now);
      exec.append(outcome, { ...attrs, scheduledEventId: act.scheduledEventId, startedEventId: started.eventId }, now);
    }
  } else {
    exec.addExternal(outcome, { ...attrs, scheduledEventId: act.scheduledEventId, startedEventId: 0 }, now);
  }
  history.markDirty(exec);
  scheduleWorkflowTask(history, exec);
}

/** Cancels an activity that never started (or waits for a retry): no started event. */
export function cancelUnstartedActivity(history: HistoryService, exec: Execution, act: ActivityState, identity: string): void {
  finishActivity(history, exec, act, 'ActivityTaskCanceled', { identity, latestCancelRequestedEventId: act.cancelRequestedEventId ?? 0 }, false);
}

/**
 * Either schedules the next attempt (returns false: nothing to write) or decides the failure is
 * final (returns true, with `act.finalRetryState` set).
 */
export function retryActivity(history: HistoryService, exec: Execution, act: ActivityState, failure: Msg): boolean {
  const now = history.now();
  const s2c = durationToMs(act.attrs.scheduleToCloseTimeout);
  const decision = act.cancelRequested
    ? ({ retry: false, retryState: 'RETRY_STATE_CANCEL_REQUESTED' } as const)
    : decideRetry(act.attrs.retryPolicy, act.attempt, failure, now, s2c > 0 ? act.scheduledTime + s2c : 0);
  if (!decision.retry) {
    act.finalRetryState = decision.retryState;
    return true;
  }
  const t = history.deps.timers;
  t.cancel(act.timers.startToClose);
  t.cancel(act.timers.heartbeat);
  t.cancel(act.timers.scheduleToStart);
  act.timers.startToClose = act.timers.heartbeat = act.timers.scheduleToStart = undefined;
  act.lastFailure = failure;
  act.phase = 'backoff';
  act.attempt++;
  // The attempt count lives only in the run-state snapshot: write it with this answer.
  history.markDirty(exec);
  act.timers.retry = t.schedule(now + decision.delayMs, () => {
    act.timers.retry = undefined;
    if (exec.isOpen && exec.activities.get(act.scheduledEventId) === act) {
      enqueueActivity(history, exec, act);
      history.deps.onChange();
    }
  });
  history.deps.onChange();
  return false;
}

function timeOutActivity(history: HistoryService, exec: Execution, act: ActivityState, timeoutType: string): void {
  if (!exec.isOpen) return;
  // Both bounds reached at once by an attempt no worker picked up: the server names schedule-to-start.
  const s2s = durationToMs(act.attrs.scheduleToStartTimeout);
  if (timeoutType === 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE' && act.phase === 'scheduled' && s2s > 0 && act.currentAttemptScheduledTime + s2s <= history.now()) {
    timeoutType = 'TIMEOUT_TYPE_SCHEDULE_TO_START';
  }
  const failure = timeoutFailure(timeoutType, act.heartbeatDetails, timeoutType === 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE' ? act.lastFailure : undefined);
  const wasStarted = act.phase === 'started';
  const retryable = timeoutType === 'TIMEOUT_TYPE_START_TO_CLOSE' || timeoutType === 'TIMEOUT_TYPE_HEARTBEAT';
  if (retryable && !retryActivity(history, exec, act, failure)) {
    history.flushSoon();
    return;
  }
  const retryState = retryable ? act.finalRetryState : 'RETRY_STATE_TIMEOUT';
  finishActivity(history, exec, act, 'ActivityTaskTimedOut', { failure, retryState }, wasStarted);
  history.flushSoon();
}
