import type { EngineStore, StoredRun } from '../persistence/store';
import { durationToMs, encodeMessage, msToTimestamp, timestampToMs, type Msg } from '../proto';
import { ActivityState, Execution, STATUS, attrKeyOf, attrsOf, eventTypeOf } from './execution';
import { restoreFromSnapshot } from './mutableState';
import type { HistoryService } from './historyService';
import { armScheduleToClose, cancelUnstartedActivity, enqueueActivity } from './activityTasks';
import { resumeWorkflowTask, scheduleWorkflowTask } from './workflowTasks';

const CLOSE_STATUS: Record<string, string> = {
  EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: STATUS.completed,
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: STATUS.failed,
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: STATUS.canceled,
  EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: STATUS.terminated,
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: STATUS.continuedAsNew,
  EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: STATUS.timedOut,
};

/** How start-up rebuilds open runs: from their snapshots (the default) or by replaying every history. */
export type RecoveryMode = 'snapshot' | 'replay';

/**
 * Rebuilds every open run from the store at start-up: from its saved mutable-state snapshot and
 * its first event (`mutableState.ts`), or, when the snapshot is missing or stale, by replaying
 * its history into mutable state (status, workflow task, timers, activities, children, updates,
 * memo, search attributes) with the run-state snapshot on top; then timers and tasks are armed
 * again. Returns the number of runs recovered and how many had to be replayed.
 */
export async function recoverRuns(history: HistoryService, store: EngineStore, mode: RecoveryMode = 'snapshot'): Promise<{ runs: number; replayed: number }> {
  // Only open runs come back into memory; closed ones are read on demand (RunCache.ensureLoaded).
  const recovered: Execution[] = [];
  let replayed = 0;
  // A manual or time-skipping clock is not stored: never let it restart behind the time its
  // runs already reached (timers due "in 3 days" would be 3 days away again).
  let latest = (await store.latestEventTime?.()) ?? 0;
  const shared = history.shared;
  for await (const page of store.openRunHeads()) {
    for (const head of page) {
      const { run } = head;
      let exec = mode === 'snapshot' ? restoreFromSnapshot(head, shared) : undefined;
      if (!exec) {
        const stored = await store.loadRun(run.runKey);
        if (!stored || stored.events.length === 0) continue;
        exec = replayStored(stored);
        replayed++;
      }
      if (!exec.isOpen) continue;
      latest = Math.max(latest, exec.lastEventTime);
      history.cache.adoptRecovered(exec);
      recovered.push(exec);
    }
  }
  const clock = history.deps.clock;
  if (clock.kind !== 'real') clock.jumpTo(latest);
  for (const exec of recovered) rearm(history, exec, exec.taskEverScheduled);
  history.deps.onChange();
  return { runs: recovered.length, replayed };
}

/** A run rebuilt from its whole stored history and the run-state snapshot. */
function replayStored({ run, events, state, historySizeBytes }: StoredRun): Execution {
  const exec = replay(run.runKey, run.namespace, run.workflowId, run.runId, events, historySizeBytes);
  if (state) applySnapshot(exec, state);
  exec.savedEventId = exec.eventCount;
  // The first task after a restart carries full history, read from the store then.
  exec.trimBefore(exec.previousStartedEventId + 1);
  return exec;
}

/** Mutable state of one run from its events. */
export function replay(runKey: string, namespace: string, workflowId: string, runId: string, events: Msg[], historySizeBytes?: number): Execution {
  const first = events[0];
  const s = first.workflowExecutionStartedEventAttributes ?? {};
  const startTime = timestampToMs(first.eventTime) ?? 0;
  const backoff = durationToMs(s.firstWorkflowTaskBackoff);
  const exec = new Execution(runKey, namespace, workflowId, runId, s.workflowType?.name ?? '', s.taskQueue?.name ?? '', startTime, s, s.firstExecutionRunId || runId, startTime + backoff);
  exec.executionDeadline = timestampToMs(s.workflowExecutionExpirationTime) ?? 0;
  exec.startUserMetadata = first.userMetadata ?? undefined;
  if (historySizeBytes !== undefined) exec.historySizeBytes = historySizeBytes;
  for (const ev of events) {
    exec.events.push(ev);
    exec.eventCount++;
    if (historySizeBytes === undefined) exec.historySizeBytes += encodeMessage('temporal.api.history.v1.HistoryEvent', ev).length;
    exec.taskIdSeq = Math.max(exec.taskIdSeq, Number(ev.taskId ?? 0));
    exec.lastEventTime = timestampToMs(ev.eventTime) ?? 0;
    applyEvent(exec, ev);
  }
  return exec;
}

function applyEvent(exec: Execution, ev: Msg): void {
  const a = attrsOf(ev);
  const time = timestampToMs(ev.eventTime) ?? 0;
  const id = Number(ev.eventId);
  const closeStatus = CLOSE_STATUS[ev.eventType];
  if (closeStatus) {
    exec.status = closeStatus;
    exec.closeTime = time;
    exec.wt = undefined;
    exec.newExecutionRunId = a.newExecutionRunId || undefined;
    return;
  }
  switch (ev.eventType) {
    case 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED':
      exec.taskEverScheduled = true;
      exec.wt = { scheduledEventId: id, attempt: Number(a.attempt ?? 1), queueName: exec.taskQueue, sticky: false, scheduledTime: time, queries: [], sentUpdates: [] };
      exec.wtAttempt = Number(a.attempt ?? 1);
      break;
    case 'EVENT_TYPE_WORKFLOW_TASK_STARTED':
      exec.taskEverStarted = true;
      if (exec.wt) {
        exec.wt.startedEventId = id;
        exec.wt.startedTime = time;
      }
      break;
    case 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED':
      exec.noteBuildId(a);
      exec.previousStartedEventId = Number(a.startedEventId ?? 0);
      exec.wt = undefined;
      exec.wtAttempt = 1;
      break;
    case 'EVENT_TYPE_WORKFLOW_TASK_FAILED':
    case 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT':
      exec.wt = undefined;
      exec.wtAttempt++;
      break;
    case 'EVENT_TYPE_TIMER_STARTED':
      exec.timers.set(a.timerId, { timerId: a.timerId, startedEventId: id, due: time + durationToMs(a.startToFireTimeout), handle: 0 });
      break;
    case 'EVENT_TYPE_TIMER_FIRED':
    case 'EVENT_TYPE_TIMER_CANCELED':
      exec.timers.delete(a.timerId);
      break;
    case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED': {
      const act: ActivityState = {
        scheduledEventId: id,
        activityId: a.activityId,
        attrs: a,
        attempt: 1,
        phase: 'scheduled',
        scheduledTime: time,
        currentAttemptScheduledTime: time,
        cancelRequested: false,
        timers: {},
      };
      exec.own('activities').set(id, act);
      break;
    }
    case 'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED': {
      const act = exec.activities.get(Number(a.scheduledEventId));
      if (act) {
        act.cancelRequested = true;
        act.cancelRequestedEventId = id;
      }
      break;
    }
    case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED':
    case 'EVENT_TYPE_ACTIVITY_TASK_FAILED':
    case 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT':
    case 'EVENT_TYPE_ACTIVITY_TASK_CANCELED':
      exec.activities.delete(Number(a.scheduledEventId));
      break;
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED':
      exec.cancelRequested = true;
      break;
    case 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES':
      exec.searchAttributes = { indexedFields: { ...(exec.searchAttributes?.indexedFields ?? {}), ...(a.searchAttributes?.indexedFields ?? {}) } };
      for (const [k, v] of Object.entries(exec.searchAttributes.indexedFields)) if (isUnset(v as Msg)) delete exec.searchAttributes.indexedFields[k];
      break;
    case 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED':
      exec.memo = { fields: { ...(exec.memo?.fields ?? {}), ...(a.upsertedMemo?.fields ?? {}) } };
      for (const [k, v] of Object.entries(exec.memo.fields)) if (isUnset(v as Msg)) delete exec.memo.fields[k];
      break;
    case 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED':
      exec.own('children').set(id, { initiatedEventId: id, workflowId: a.workflowId, namespace: a.namespace || exec.namespace, workflowType: a.workflowType?.name ?? '', parentClosePolicy: a.parentClosePolicy ?? 'PARENT_CLOSE_POLICY_TERMINATE' });
      break;
    case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED': {
      const c = exec.children.get(Number(a.initiatedEventId));
      if (c) {
        c.runId = a.workflowExecution?.runId;
        c.startedEventId = id;
      }
      break;
    }
    case 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED':
    case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED':
    case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED':
    case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED':
    case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED':
    case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT':
      exec.children.delete(Number(a.initiatedEventId));
      break;
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED':
      exec.own('updates').set(a.protocolInstanceId, { updateId: a.protocolInstanceId, stage: 'accepted', acceptedEventId: id, waiters: [] });
      break;
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED': {
      const u = exec.updates.get(a.meta?.updateId);
      if (u) {
        u.stage = 'completed';
        u.outcome = a.outcome;
        u.completedEventId = id;
      }
      break;
    }
  }
}

function isUnset(v: Msg): boolean {
  const data = v?.data as Uint8Array | undefined;
  return !data || data.length === 0 || Buffer.from(data).toString() === '[]';
}

function applySnapshot(exec: Execution, state: Msg): void {
  exec.buffered = Array.isArray(state.buffered) ? state.buffered : [];
  // A buffered event already took effect in memory (a timer that fired is no longer pending, an
  // activity with a result is no longer running); without this a restart would fire it again.
  for (const b of exec.buffered) {
    applyEvent(exec, { eventId: 0, eventTime: msToTimestamp(b.time), eventType: eventTypeOf(b.name), [attrKeyOf(b.name)]: b.attrs });
  }
  for (const a of state.activities ?? []) {
    const act = exec.activities.get(Number(a.scheduledEventId));
    if (!act) continue;
    act.attempt = Number(a.attempt ?? 1);
    act.lastFailure = a.lastFailure;
    act.heartbeatDetails = a.heartbeatDetails;
  }
  if (state.wtAttempt) exec.wtAttempt = Number(state.wtAttempt);
  restoreRequestIds(exec, state);
}

/** Request ids of the run's recent starts, signals and cancels (de-duplication of retried calls). */
export function restoreRequestIds(exec: Execution, state: Msg): void {
  for (const id of state.requestIds ?? []) exec.requestIds.add(id);
}

/** Arms timers and queues tasks of a recovered run. */
function rearm(history: HistoryService, exec: Execution, hasTask: boolean): void {
  if (!exec.isOpen) return;
  const now = history.now();
  history.armRunTimeout(exec);
  if (!hasTask && exec.executionTime > now) history.armStartBackoff(exec, exec.executionTime);
  for (const t of [...exec.timers.values()]) {
    exec.timers.delete(t.timerId);
    // Original due times: timers missed while the engine was down fire at once, in due order.
    history.startTimer(exec, t.timerId, t.startedEventId, 0, t.due);
  }
  for (const act of exec.activities.values()) {
    armScheduleToClose(history, exec, act);
    // An attempt that was running when the engine stopped is lost: it runs again.
    if (act.cancelRequested) cancelUnstartedActivity(history, exec, act, 'engine-recovery');
    else enqueueActivity(history, exec, act);
  }
  if (exec.wt) resumeWorkflowTask(history, exec);
  else if (exec.buffered.length > 0 || !hasTask) {
    exec.flushBuffered();
    history.markDirty(exec);
    scheduleWorkflowTask(history, exec);
  }
}
