/**
 * Workflow tasks and query tasks of a run (Temporal: the workflow-task parts of service/history
 * and its timer queue, and matching's query path): scheduling a task on the run's sticky or
 * normal queue, handing it to a poller with the history it needs, its sticky schedule-to-start
 * and start-to-close timeouts, abandoning a failed or timed-out attempt, and the legacy query
 * tasks of a run with no task in flight. Completing a task is workflowTaskCompletion.ts.
 */
import { randomUUID } from 'node:crypto';
import { invalidArgument, notFound } from '../errors';
import { durationToMs, msToDuration, msToTimestamp, packAny, type Msg } from '../proto';
import type { Execution, PendingQuery } from './execution';
import type { HistoryService } from './historyService';
import { encodeToken, type TaskToken } from './tokens';

export const DEFAULT_WT_TIMEOUT_MS = 10_000;
export const MAX_WT_TIMEOUT_MS = 120_000;

/** What the workflow-task functions keep between calls, one per engine. */
export class WorkflowTaskDispatch {
  /** True while a workflow timer fires (its task is a timer-caused one). */
  firingTimer = false;
  /** Source of {@link Execution.lastTakenStamp}. */
  private takenStamps = 0;

  /** Marks the run as just taken by a worker (the warm backlog serves the warmest first). */
  stampTaken(exec: Execution): void {
    exec.lastTakenStamp = ++this.takenStamps;
  }
}

export function workflowTaskTimeoutMs(exec: Execution): number {
  return durationToMs(exec.startedAttrs.workflowTaskTimeout) || DEFAULT_WT_TIMEOUT_MS;
}

/** Schedules a workflow task unless one is pending or the run is closed. */
export function scheduleWorkflowTask(history: HistoryService, exec: Execution): void {
  if (!exec.isOpen || exec.wt || exec.startBackoffTimer !== undefined) return;
  const now = history.now();
  exec.taskEverScheduled = true;
  const sticky = exec.sticky;
  const queueName = sticky ? sticky.queueName : exec.taskQueue;
  const ev = exec.append(
    'WorkflowTaskScheduled',
    {
      taskQueue: sticky ? { name: queueName, kind: 'TASK_QUEUE_KIND_STICKY', normalName: exec.taskQueue } : { name: queueName, kind: 'TASK_QUEUE_KIND_NORMAL' },
      startToCloseTimeout: msToDuration(workflowTaskTimeoutMs(exec)),
      attempt: exec.wtAttempt,
    },
    now,
  );
  exec.wt = { scheduledEventId: ev.eventId, attempt: exec.wtAttempt, queueName, sticky: !!sticky, scheduledTime: now, queries: exec.waitingQueries, sentUpdates: [] };
  exec.waitingQueries = [];
  history.markDirty(exec);
  enqueueWorkflowTask(history, exec, !!sticky);
  if (sticky) armStickyTimer(history, exec, sticky, now);
}

/** After recovery: queues the scheduled workflow task again, or re-arms the running one's timeout. */
export function resumeWorkflowTask(history: HistoryService, exec: Execution): void {
  const wt = exec.wt;
  if (!wt || !exec.isOpen) return;
  if (wt.startedEventId === undefined) {
    enqueueWorkflowTask(history, exec, false);
    return;
  }
  const sid = wt.scheduledEventId;
  const startedId = wt.startedEventId;
  wt.timeoutTimer = history.deps.timers.schedule((wt.startedTime ?? history.now()) + workflowTaskTimeoutMs(exec), () => timeOutWorkflowTask(history, exec, sid, startedId));
}

/**
 * The sticky schedule-to-start timeout: a task its sticky worker did not pick up in time is
 * served from the normal queue (full history). Unlike Temporal, not while that worker is still
 * polling its sticky queue: it is alive and working through a backlog (a burst of deadlines
 * queues a thousand tasks at once), and the normal queue would only make it replay each run
 * from its full history, read back from the store, at several times the cost (issue 9).
 */
function armStickyTimer(history: HistoryService, exec: Execution, sticky: NonNullable<Execution['sticky']>, from: number): void {
  const wt = exec.wt!;
  const sid = wt.scheduledEventId;
  wt.stickyTimer = history.deps.timers.schedule(from + sticky.scheduleToStartMs, () => {
    if (exec.wt?.scheduledEventId !== sid || exec.wt.startedEventId !== undefined) return;
    if (exec.sticky === sticky && history.deps.matching.polledWithin(exec.namespace, 'workflow', sticky.queueName, sticky.scheduleToStartMs)) {
      armStickyTimer(history, exec, sticky, history.now());
      return;
    }
    rerouteToNormalQueue(history, exec);
  });
}

/** Serves a scheduled sticky task from the normal queue (sticky worker gone or too slow). */
export function rerouteToNormalQueue(history: HistoryService, exec: Execution): void {
  const wt = exec.wt;
  if (!wt || wt.startedEventId !== undefined) return;
  history.deps.timers.cancel(wt.stickyTimer);
  wt.stickyTimer = undefined;
  exec.sticky = undefined;
  enqueueWorkflowTask(history, exec, false);
}

function enqueueWorkflowTask(history: HistoryService, exec: Execution, sticky: boolean): void {
  const wt = exec.wt!;
  const sid = wt.scheduledEventId;
  const queueName = sticky ? wt.queueName : exec.taskQueue;
  wt.interactive = personWaitsOn(exec);
  history.deps.matching.add(
    exec.namespace,
    'workflow',
    queueName,
    {
      dispatch: (poll) => startWorkflowTask(history, exec, sid, sticky, poll),
      // A timer's task joins the queue's warm backlog (matching/warmBacklog.ts, issue 9): a burst
      // of deadlines is handed out warmest run first, the runs a worker most likely still caches.
      ...(history.dispatch.firingTimer && !wt.interactive ? { warmth: exec.lastTakenStamp } : {}),
    },
    wt.interactive ? 'interactive' : 'backlog',
  );
}

/**
 * A query or an update arrived for a run whose workflow task is queued, not started: the task
 * now carries it, so it moves to the interactive lane (issue 9: a person reading or acting on a
 * work order mid-escalation waited out the whole burst of passed deadlines). Unlike Temporal,
 * which leaves such a task where it is in the backlog (engine/README.md, "How it differs").
 * The entry already in the backlog lane stays and is skipped when reached (the task started).
 */
export function promoteWorkflowTask(history: HistoryService, exec: Execution): void {
  const wt = exec.wt;
  if (!exec.isOpen || !wt || wt.startedEventId !== undefined || wt.interactive || !personWaitsOn(exec)) return;
  enqueueWorkflowTask(history, exec, wt.sticky && !!exec.sticky);
}

/** Hands the scheduled workflow task to a poller: appends WorkflowTaskStarted, builds the response. */
function startWorkflowTask(history: HistoryService, exec: Execution, sid: number, sticky: boolean, poll: Msg): Msg | null {
  const wt = exec.wt;
  if (!exec.isOpen || !wt || wt.scheduledEventId !== sid || wt.startedEventId !== undefined) return null;
  if (sticky && !exec.sticky) return null;
  const now = history.now();
  history.deps.timers.cancel(wt.stickyTimer);
  // What the task is for (a run's start, its scheduled task) must be durable before a worker
  // acts on it: the poll's flush writes it, and WorkflowTaskStarted goes with it. Alone, the
  // started event is not written: it goes with the task's completion (or failure, timeout),
  // one store write less per task (issue 9). Lost in a crash, the task is simply scheduled
  // again, as Temporal does with a transient workflow task.
  const unsavedBefore = exec.unsaved.length > 0 || exec.created;
  const started = exec.append(
    'WorkflowTaskStarted',
    {
      scheduledEventId: sid,
      identity: poll.identity ?? '',
      requestId: randomUUID(),
      historySizeBytes: exec.historySizeBytes,
      suggestContinueAsNew: exec.historySizeBytes > 4 * 1024 * 1024 || exec.eventCount > 4000,
    },
    now,
  );
  wt.startedEventId = started.eventId;
  wt.startedTime = now;
  exec.taskEverStarted = true;
  history.dispatch.stampTaken(exec);
  const startedId = started.eventId;
  wt.timeoutTimer = history.deps.timers.schedule(now + workflowTaskTimeoutMs(exec), () => timeOutWorkflowTask(history, exec, sid, startedId));
  if (unsavedBefore) {
    history.markDirty(exec);
    history.flushSoon();
  }

  const messages: Msg[] = [];
  for (const u of exec.updates.values()) {
    if (u.stage !== 'admitted') continue;
    u.stage = 'sent';
    wt.sentUpdates.push(u.updateId);
    messages.push({
      id: `${u.updateId}/request`,
      protocolInstanceId: u.updateId,
      eventId: startedId - 1,
      body: packAny('temporal.api.update.v1.Request', u.request ?? {}),
    });
  }
  const queries: Msg = {};
  for (const q of wt.queries) queries[q.id] = q.query;
  const fromId = sticky ? exec.previousStartedEventId + 1 : 1;
  const res: Msg = {
    taskToken: encodeToken({ k: 'wt', ns: exec.namespace, wid: exec.workflowId, rid: exec.runId, sid, att: wt.attempt }),
    workflowExecution: { workflowId: exec.workflowId, runId: exec.runId },
    workflowType: { name: exec.workflowType },
    previousStartedEventId: exec.previousStartedEventId,
    startedEventId: startedId,
    attempt: wt.attempt,
    workflowExecutionTaskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    scheduledTime: msToTimestamp(wt.scheduledTime),
    startedTime: msToTimestamp(now),
    queries: wt.queries.length > 0 ? queries : undefined,
    messages,
  };
  history.cache.taskHistory(exec, fromId, startedId, res);
  return res;
}

/** Resolves a workflow-task token to its run and in-flight task, or NOT_FOUND. */
export function runningWorkflowTask(history: HistoryService, token: TaskToken): { exec: Execution; wt: NonNullable<Execution['wt']> } {
  if (token.k !== 'wt') throw invalidArgument('not a workflow task token');
  const exec = history.findRun(token.ns, token.wid, token.rid);
  const wt = exec?.wt;
  if (!exec || !exec.isOpen || !wt || wt.scheduledEventId !== token.sid || wt.attempt !== token.att || wt.startedEventId === undefined) {
    throw notFound('Workflow task not found.');
  }
  return { exec, wt };
}

/**
 * Ends the in-flight workflow task without completing it (failure, timeout): updates and
 * queries go back to waiting, buffered events are written, and a new attempt is scheduled.
 */
export function abandonWorkflowTask(history: HistoryService, exec: Execution, eventName: 'WorkflowTaskFailed' | 'WorkflowTaskTimedOut', attrs: Msg): void {
  const wt = exec.wt!;
  history.deps.timers.cancel(wt.timeoutTimer);
  history.deps.timers.cancel(wt.stickyTimer);
  exec.append(eventName, attrs, history.now());
  exec.wt = undefined;
  exec.wtAttempt++;
  for (const id of wt.sentUpdates) {
    const u = exec.updates.get(id);
    if (u && u.stage === 'sent') u.stage = 'admitted';
  }
  exec.waitingQueries.unshift(...wt.queries);
  exec.flushBuffered();
  // The worker may have lost the run from its cache: send full history next time.
  exec.sticky = undefined;
  history.markDirty(exec);
  scheduleWorkflowTask(history, exec);
}

function timeOutWorkflowTask(history: HistoryService, exec: Execution, sid: number, startedId: number): void {
  if (!exec.isOpen || exec.wt?.scheduledEventId !== sid || exec.wt.startedEventId !== startedId) return;
  abandonWorkflowTask(history, exec, 'WorkflowTaskTimedOut', { scheduledEventId: sid, startedEventId: startedId, timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' });
  history.flushSoon();
}

/** After a workflow task completed: route waiting queries to a new task or to legacy query tasks. */
export function routeWaitingQueries(history: HistoryService, exec: Execution): void {
  if (exec.wt && exec.wt.startedEventId === undefined) {
    exec.wt.queries.push(...exec.waitingQueries);
    exec.waitingQueries = [];
    promoteWorkflowTask(history, exec);
    return;
  }
  if (exec.wtInFlight) return;
  const waiting = exec.waitingQueries;
  exec.waitingQueries = [];
  for (const q of waiting) sendLegacyQuery(history, exec, q);
}

/** A query task for a run with no workflow task in flight (answered from its history alone). */
export function sendLegacyQuery(history: HistoryService, exec: Execution, q: PendingQuery): void {
  exec.own('legacyQueries').set(q.id, q);
  const dispatch = (sticky: boolean): Msg | null => {
    if (!exec.legacyQueries.has(q.id) || (q as { taken?: boolean }).taken) return null;
    (q as { taken?: boolean }).taken = true;
    history.dispatch.stampTaken(exec);
    const fromId = sticky ? exec.previousStartedEventId + 1 : 1;
    const res: Msg = {
      taskToken: encodeToken({ k: 'q', ns: exec.namespace, wid: exec.workflowId, rid: exec.runId, qid: q.id }),
      workflowExecution: { workflowId: exec.workflowId, runId: exec.runId },
      workflowType: { name: exec.workflowType },
      previousStartedEventId: exec.previousStartedEventId,
      // 0 as in Temporal: the worker then treats it as query-only and buffers every concurrent
      // one (a non-zero id makes it a history task, and each replaces the one buffered before).
      startedEventId: 0,
      query: q.query,
      workflowExecutionTaskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      attempt: 1,
      scheduledTime: msToTimestamp(history.now()),
      startedTime: msToTimestamp(history.now()),
    };
    history.cache.taskHistory(exec, fromId, exec.eventCount, res);
    return res;
  };
  const sticky = exec.sticky;
  const matching = history.deps.matching;
  // A query task never waits behind the backlog: Temporal's matcher dispatches it through its
  // own path (OfferQuery → queryTaskC, temporalio/temporal service/matching/matcher.go).
  if (sticky && exec.isOpen) {
    matching.add(exec.namespace, 'workflow', sticky.queueName, { dispatch: () => dispatch(true) }, 'interactive');
    history.deps.timers.schedule(history.now() + sticky.scheduleToStartMs, () => {
      if (exec.legacyQueries.has(q.id) && !(q as { taken?: boolean }).taken) {
        matching.add(exec.namespace, 'workflow', exec.taskQueue, { dispatch: () => dispatch(false) }, 'interactive');
      }
    });
  } else {
    matching.add(exec.namespace, 'workflow', exec.taskQueue, { dispatch: () => dispatch(false) }, 'interactive');
  }
}

/**
 * True when a person waits on the run's next workflow task: a query rides on it, or an update is
 * not completed yet (an action's answer waits for its completion, possibly a task or two later).
 */
function personWaitsOn(exec: Execution): boolean {
  if (exec.wt && exec.wt.queries.length > 0) return true;
  for (const u of exec.updates.values()) if (u.stage !== 'completed') return true;
  return false;
}
