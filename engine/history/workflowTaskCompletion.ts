import { randomUUID } from 'node:crypto';
import { durationToMs, encodeMessage, unpackAny, type Msg } from '../proto';
import { fillActivityTimeouts } from './activityPolicy';
import { ActivityState, Execution, STATUS, attrsOf } from './execution';
import type { HistoryService } from './historyService';
import type { TaskToken } from './tokens';
import { armScheduleToClose, cancelUnstartedActivity, enqueueActivity, startActivityEagerly } from './activityTasks';
import { abandonWorkflowTask, routeWaitingQueries, runningWorkflowTask, scheduleWorkflowTask } from './workflowTasks';

/**
 * A command the server refuses: the task fails with `cause` and nothing of it is applied. With
 * `terminates` (a payload over the size limit) the run is also terminated, as Temporal does.
 */
class BadCommand extends Error {
  constructor(
    readonly failedCause: string,
    message: string,
    readonly terminates = false,
  ) {
    super(message);
  }

  /**
   * The text Temporal answers with (`workflowTaskFailedCause.Message()`): the cause's Go name,
   * bare for UNHANDLED_COMMAND (the SDK core matches "UnhandledCommand" exactly), else with the reason.
   */
  get wireMessage(): string {
    const name = this.failedCause
      .replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '')
      .toLowerCase()
      .replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
    return this.failedCause === 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND' ? name : `${name}: ${this.message}`;
  }
}

/**
 * A completion the engine refused. The task has already failed in history; the frontend stores
 * that and then answers INVALID_ARGUMENT, as Temporal does, so the worker evicts its cached run
 * (answering OK would leave the worker's cache ahead of the history).
 */
export class RejectedCompletion {
  constructor(readonly message: string) {}
}

/** Workflow-to-workflow commands are delegated (children, external signals and cancels). */
export interface CrossWorkflowCommands {
  validateStartChild(exec: Execution, attrs: Msg): void;
  startChild(exec: Execution, attrs: Msg, initiatedEventId: number, userMetadata?: Msg): void;
  signalExternal(exec: Execution, attrs: Msg, initiatedEventId: number): void;
  cancelExternal(exec: Execution, attrs: Msg, initiatedEventId: number): void;
  continueAsNew(exec: Execution, attrs: Msg, completedEventId: number): void;
  /** Cron: closes the run with `eventName` and starts the next one; false when the run has no cron schedule. */
  continueCron(exec: Execution, eventName: string, attrs: Msg, carry: { lastCompletionResult?: Msg; continuedFailure?: Msg }): boolean;
  /** Workflow retry policy: returns true when a failed run was retried as a new run. */
  retryWorkflow(exec: Execution, failure: Msg, completedEventId: number): boolean;
}

const CLOSING = new Set([
  'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION',
]);

/**
 * RespondWorkflowTaskCompleted: validates every command first, then applies all of them (or,
 * on any bad command, none: the task fails and is scheduled again).
 */
export function completeWorkflowTask(history: HistoryService, cross: CrossWorkflowCommands, token: TaskToken, req: Msg, stickyEnabled: boolean): Msg | RejectedCompletion {
  const { exec, wt } = runningWorkflowTask(history, token);
  const commands: Msg[] = req.commands ?? [];
  const messages: Msg[] = req.messages ?? [];
  const identity: string = req.identity ?? '';

  let planned: Array<(completedEventId: number) => void>;
  const eagerActivities: Msg[] = [];
  try {
    planned = validate(history, cross, exec, commands, messages, identity, eagerActivities);
  } catch (err) {
    if (!(err instanceof BadCommand)) throw err;
    if (err.terminates) {
      history.deps.timers.cancel(wt.timeoutTimer);
      history.deps.timers.cancel(wt.stickyTimer);
      exec.append(
        'WorkflowTaskFailed',
        { scheduledEventId: wt.scheduledEventId, startedEventId: wt.startedEventId, cause: err.failedCause, failure: { message: err.message, source: 'Server' }, identity },
        history.now(),
      );
      exec.wt = undefined;
      exec.waitingQueries.unshift(...wt.queries);
      history.terminateRun(exec, err.message, undefined, 'history-service');
      history.markDirty(exec);
      routeWaitingQueries(history, exec);
      return new RejectedCompletion(err.wireMessage);
    }
    abandonWorkflowTask(history, exec, 'WorkflowTaskFailed', {
      scheduledEventId: wt.scheduledEventId,
      startedEventId: wt.startedEventId,
      cause: err.failedCause,
      failure: { message: err.message, source: 'Server' },
      identity,
    });
    return new RejectedCompletion(err.wireMessage);
  }

  const now = history.now();
  history.deps.timers.cancel(wt.timeoutTimer);
  history.deps.timers.cancel(wt.stickyTimer);
  const completed = exec.append(
    'WorkflowTaskCompleted',
    {
      scheduledEventId: wt.scheduledEventId,
      startedEventId: wt.startedEventId,
      identity,
      binaryChecksum: req.binaryChecksum,
      // SDKs read the build id of past tasks from here when they replay (workflowInfo().currentBuildId).
      workerVersion: req.workerVersionStamp ?? (buildIdOf(req) ? { buildId: buildIdOf(req), useVersioning: false } : undefined),
      sdkMetadata: req.sdkMetadata,
      meteringMetadata: req.meteringMetadata,
      deployment: req.deployment,
      versioningBehavior: req.versioningBehavior,
    },
    now,
  );
  exec.noteBuildId(attrsOf(completed), (id) => history.shared.string(id));
  exec.previousStartedEventId = wt.startedEventId!;
  exec.wt = undefined;
  exec.wtAttempt = 1;
  const sticky = req.stickyAttributes?.workerTaskQueue?.name;
  // One object for every run the same worker serves (not a string decoded per completion).
  exec.sticky = stickyEnabled && sticky ? history.shared.object({ queueName: sticky, scheduleToStartMs: durationToMs(req.stickyAttributes.scheduleToStartTimeout) || 5000 }) : undefined;

  const before = exec.events.length;
  for (const apply of planned) apply(completed.eventId);
  const addedOwnEvents = exec.events.length - before;

  // Answers to queries that rode on this task; unanswered ones are asked again.
  for (const q of wt.queries) {
    const result = req.queryResults?.[q.id];
    if (result) q.resolve(result);
    else exec.waitingQueries.push(q);
  }
  // Updates sent with this task but neither accepted nor rejected go back to waiting.
  for (const id of wt.sentUpdates) {
    const u = exec.updates.get(id);
    if (u && u.stage === 'sent') u.stage = 'admitted';
  }

  let needTask = exec.flushBuffered() || !!req.forceCreateNewWorkflowTask || exec.needsWorkflowTask;
  exec.needsWorkflowTask = false;
  for (const u of exec.updates.values()) if (u.stage === 'admitted') needTask = true;
  void addedOwnEvents;
  history.markDirty(exec);
  if (exec.isOpen && needTask) scheduleWorkflowTask(history, exec);
  routeWaitingQueries(history, exec);
  return eagerActivities.length > 0 ? { activityTasks: eagerActivities } : {};
}

/** Checks every command and message; returns the ordered list of effects to apply. */
/** At most this many activities start eagerly per completion (the server's default). */
const MAX_EAGER_ACTIVITIES = 3;

function validate(
  history: HistoryService,
  cross: CrossWorkflowCommands,
  exec: Execution,
  commands: Msg[],
  messages: Msg[],
  identity: string,
  eagerActivities: Msg[],
): Array<(completedEventId: number) => void> {
  const plan: Array<(completedEventId: number) => void> = [];
  const newTimers = new Set<string>();
  const canceledTimers = new Set<string>();
  const newActivityIds = new Set<string>();
  const messagesById = new Map<string, Msg>();
  for (const m of messages) messagesById.set(m.id, m);
  const usedMessages = new Set<string>();
  const acceptedInBatch = new Set<string>();
  const runTimeoutMs = durationToMs(exec.startedAttrs.workflowRunTimeout);
  const blobLimit = history.deps.blobSizeLimitError;
  /** Temporal terminates a run whose command carries a payload field over the blob size limit. */
  const checkSize = (typeName: string, value: Msg | undefined, cause: string, field: string) => {
    if (!blobLimit || !value) return;
    if (encodeMessage(typeName, value).length > blobLimit) throw new BadCommand(cause, `${field} exceeds size limit.`, true);
  };

  commands.forEach((cmd, index) => {
    const type: string = cmd.commandType;
    if (CLOSING.has(type)) {
      if (index !== commands.length - 1) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', 'a workflow-closing command must be the last command');
      // A buffered fire of a timer this completion cancels is dropped, so it is not "new".
      const unhandled = exec.buffered.some((b) => !(b.name === 'TimerFired' && canceledTimers.has(b.attrs.timerId)));
      if (unhandled) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', 'new events arrived while the workflow task ran');
      for (const u of exec.updates.values()) {
        if (u.stage === 'admitted') throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE', 'an update arrived while the workflow task ran');
      }
    }
    switch (type) {
      case 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK': {
        const a = cmd.scheduleActivityTaskCommandAttributes ?? {};
        const bad = (m: string) => new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', m);
        if (!a.activityId) throw bad('ActivityId is not set');
        if (!a.activityType?.name) throw bad('ActivityType is not set');
        checkSize('temporal.api.common.v1.Payloads', a.input, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', 'ScheduleActivityTaskCommandAttributes.Input');
        const inUse = [...exec.activities.values()].some((x) => x.activityId === a.activityId);
        if (inUse || newActivityIds.has(a.activityId)) throw bad(`activity id ${a.activityId} is already in use`);
        newActivityIds.add(a.activityId);
        let filled: Msg;
        try {
          filled = fillActivityTimeouts({ ...a, taskQueue: a.taskQueue?.name ? a.taskQueue : { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' } }, runTimeoutMs);
        } catch (err) {
          throw bad((err as Error).message);
        }
        plan.push((completedEventId) => {
          const attrs: Msg = {
            activityId: filled.activityId,
            activityType: filled.activityType,
            taskQueue: filled.taskQueue,
            header: filled.header,
            input: filled.input,
            scheduleToCloseTimeout: filled.scheduleToCloseTimeout,
            scheduleToStartTimeout: filled.scheduleToStartTimeout,
            startToCloseTimeout: filled.startToCloseTimeout,
            heartbeatTimeout: filled.heartbeatTimeout,
            workflowTaskCompletedEventId: completedEventId,
            retryPolicy: filled.retryPolicy,
            useWorkflowBuildId: filled.useWorkflowBuildId,
            priority: filled.priority,
          };
          const ev = exec.append('ActivityTaskScheduled', attrs, history.now(), cmd.userMetadata);
          const act: ActivityState = {
            scheduledEventId: ev.eventId,
            activityId: attrs.activityId,
            attrs,
            attempt: 1,
            phase: 'scheduled',
            scheduledTime: history.now(),
            currentAttemptScheduledTime: history.now(),
            cancelRequested: false,
            timers: {},
          };
          exec.own('activities').set(ev.eventId, act);
          armScheduleToClose(history, exec, act);
          // Eager: only for the workflow's own task queue, as the server does.
          const eager =
            a.requestEagerExecution && filled.taskQueue.name === exec.taskQueue && eagerActivities.length < MAX_EAGER_ACTIVITIES
              ? startActivityEagerly(history, exec, act, identity)
              : null;
          if (eager) eagerActivities.push(eager);
          else enqueueActivity(history, exec, act);
        });
        break;
      }
      case 'COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK': {
        const sid = Number(cmd.requestCancelActivityTaskCommandAttributes?.scheduledEventId ?? 0);
        if (!exec.activities.has(sid)) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES', `no pending activity scheduled by event ${sid}`);
        plan.push((completedEventId) => {
          const act = exec.activities.get(sid);
          if (!act) return;
          const ev = exec.append('ActivityTaskCancelRequested', { scheduledEventId: sid, workflowTaskCompletedEventId: completedEventId }, history.now());
          act.cancelRequested = true;
          act.cancelRequestedEventId = ev.eventId;
          if (act.phase !== 'started') {
            cancelUnstartedActivity(history, exec, act, identity);
            exec.needsWorkflowTask = true;
          }
        });
        break;
      }
      case 'COMMAND_TYPE_START_TIMER': {
        const a = cmd.startTimerCommandAttributes ?? {};
        const bad = (m: string) => new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES', m);
        if (!a.timerId) throw bad('TimerId is not set');
        if ((exec.timers.has(a.timerId) && !canceledTimers.has(a.timerId)) || newTimers.has(a.timerId)) throw bad(`timer id ${a.timerId} is already in use`);
        const ms = durationToMs(a.startToFireTimeout);
        if (ms <= 0) throw bad('StartToFireTimeout must be positive');
        newTimers.add(a.timerId);
        plan.push((completedEventId) => {
          const ev = exec.append('TimerStarted', { timerId: a.timerId, startToFireTimeout: a.startToFireTimeout, workflowTaskCompletedEventId: completedEventId }, history.now(), cmd.userMetadata);
          history.startTimer(exec, a.timerId, ev.eventId, ms);
        });
        break;
      }
      case 'COMMAND_TYPE_CANCEL_TIMER': {
        const timerId: string | undefined = cmd.cancelTimerCommandAttributes?.timerId;
        // A timer that fired while this task ran is still cancelable: its TimerFired is only
        // buffered, and Temporal drops it and records TimerCanceled (checkAndClearTimerFiredEvent).
        const firedWhileRunning = !!timerId && !canceledTimers.has(timerId) && bufferedTimerFired(exec, timerId) >= 0;
        if (!timerId || !(exec.timers.has(timerId) || newTimers.has(timerId) || firedWhileRunning)) {
          throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES', `no pending timer ${timerId}`);
        }
        canceledTimers.add(timerId);
        newTimers.delete(timerId);
        plan.push((completedEventId) => {
          const timer = exec.timers.get(timerId);
          let startedEventId: number;
          if (timer) {
            history.deps.timers.cancel(timer.handle);
            exec.timers.delete(timerId);
            startedEventId = timer.startedEventId;
          } else {
            const i = bufferedTimerFired(exec, timerId);
            if (i < 0) return;
            startedEventId = Number(exec.buffered[i].attrs.startedEventId);
            exec.buffered.splice(i, 1);
          }
          exec.append('TimerCanceled', { timerId, startedEventId, workflowTaskCompletedEventId: completedEventId, identity }, history.now());
        });
        break;
      }
      case 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION': {
        const a = cmd.completeWorkflowExecutionCommandAttributes ?? {};
        checkSize('temporal.api.common.v1.Payloads', a.result, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES', 'CompleteWorkflowExecutionCommandAttributes.Result');
        plan.push((completedEventId) => {
          const attrs = { result: a.result, workflowTaskCompletedEventId: completedEventId };
          if (cross.continueCron(exec, 'WorkflowExecutionCompleted', attrs, { lastCompletionResult: a.result })) return;
          exec.append('WorkflowExecutionCompleted', attrs, history.now());
          history.closeRun(exec, STATUS.completed);
        });
        break;
      }
      case 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION': {
        const a = cmd.failWorkflowExecutionCommandAttributes ?? {};
        checkSize('temporal.api.failure.v1.Failure', a.failure, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES', 'FailWorkflowExecutionCommandAttributes.Failure');
        plan.push((completedEventId) => {
          if (cross.retryWorkflow(exec, a.failure, completedEventId)) return;
          const attrs = { failure: a.failure, retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET', workflowTaskCompletedEventId: completedEventId };
          if (cross.continueCron(exec, 'WorkflowExecutionFailed', attrs, { continuedFailure: a.failure })) return;
          exec.append('WorkflowExecutionFailed', attrs, history.now());
          history.closeRun(exec, STATUS.failed);
        });
        break;
      }
      case 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION': {
        const a = cmd.cancelWorkflowExecutionCommandAttributes ?? {};
        plan.push((completedEventId) => {
          exec.append('WorkflowExecutionCanceled', { details: a.details, workflowTaskCompletedEventId: completedEventId }, history.now());
          history.closeRun(exec, STATUS.canceled);
        });
        break;
      }
      case 'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION': {
        const a = cmd.continueAsNewWorkflowExecutionCommandAttributes ?? {};
        checkSize('temporal.api.common.v1.Payloads', a.input, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES', 'ContinueAsNewWorkflowExecutionCommandAttributes.Input');
        plan.push((completedEventId) => cross.continueAsNew(exec, a, completedEventId));
        break;
      }
      case 'COMMAND_TYPE_RECORD_MARKER': {
        const a = cmd.recordMarkerCommandAttributes ?? {};
        if (!a.markerName) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES', 'MarkerName is not set');
        plan.push((completedEventId) => {
          exec.append('MarkerRecorded', { markerName: a.markerName, details: a.details, workflowTaskCompletedEventId: completedEventId, header: a.header, failure: a.failure }, history.now(), cmd.userMetadata);
        });
        break;
      }
      case 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES': {
        const a = cmd.upsertWorkflowSearchAttributesCommandAttributes ?? {};
        if (!a.searchAttributes?.indexedFields) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES', 'SearchAttributes are not set');
        let typed: Msg;
        try {
          typed = history.deps.typeSearchAttributes(exec.namespace, a.searchAttributes)!;
        } catch (err) {
          throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES', (err as Error).message);
        }
        plan.push((completedEventId) => {
          exec.append('UpsertWorkflowSearchAttributes', { workflowTaskCompletedEventId: completedEventId, searchAttributes: typed }, history.now());
          // Shared with the runs that hold equal ones, bytes copied out of the request (issue 9).
          exec.searchAttributes = history.shared.object(mergeFields(exec.searchAttributes, 'indexedFields', typed.indexedFields));
        });
        break;
      }
      case 'COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES': {
        const a = cmd.modifyWorkflowPropertiesCommandAttributes ?? {};
        plan.push((completedEventId) => {
          exec.append('WorkflowPropertiesModified', { workflowTaskCompletedEventId: completedEventId, upsertedMemo: a.upsertedMemo }, history.now());
          exec.memo = history.shared.object(mergeFields(exec.memo, 'fields', a.upsertedMemo?.fields ?? {}));
        });
        break;
      }
      case 'COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION': {
        const a = cmd.startChildWorkflowExecutionCommandAttributes ?? {};
        checkSize('temporal.api.common.v1.Payloads', a.input, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES', 'StartChildWorkflowExecutionCommandAttributes.Input');
        try {
          cross.validateStartChild(exec, a);
        } catch (err) {
          throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES', (err as Error).message);
        }
        plan.push((completedEventId) => {
          const attrs = {
            namespace: a.namespace || exec.namespace,
            workflowId: a.workflowId,
            workflowType: a.workflowType,
            taskQueue: a.taskQueue?.name ? a.taskQueue : { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
            input: a.input,
            workflowExecutionTimeout: a.workflowExecutionTimeout,
            workflowRunTimeout: a.workflowRunTimeout,
            workflowTaskTimeout: a.workflowTaskTimeout,
            parentClosePolicy: a.parentClosePolicy || 'PARENT_CLOSE_POLICY_TERMINATE',
            control: a.control,
            workflowTaskCompletedEventId: completedEventId,
            workflowIdReusePolicy: a.workflowIdReusePolicy,
            retryPolicy: a.retryPolicy,
            cronSchedule: a.cronSchedule,
            header: a.header,
            memo: a.memo,
            searchAttributes: a.searchAttributes,
            priority: a.priority,
          };
          const ev = exec.append('StartChildWorkflowExecutionInitiated', attrs, history.now(), cmd.userMetadata);
          cross.startChild(exec, attrs, ev.eventId, cmd.userMetadata);
        });
        break;
      }
      case 'COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION': {
        const a = cmd.signalExternalWorkflowExecutionCommandAttributes ?? {};
        checkSize('temporal.api.common.v1.Payloads', a.input, 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_INPUT_SIZE', 'SignalExternalWorkflowExecutionCommandAttributes.Input');
        if (!a.execution?.workflowId || !a.signalName) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES', 'execution and signal name are required');
        plan.push((completedEventId) => {
          const attrs = {
            namespace: a.namespace || exec.namespace,
            execution: a.execution,
            signalName: a.signalName,
            input: a.input,
            control: a.control,
            childWorkflowOnly: a.childWorkflowOnly,
            header: a.header,
            workflowTaskCompletedEventId: completedEventId,
          };
          const ev = exec.append('SignalExternalWorkflowExecutionInitiated', attrs, history.now(), cmd.userMetadata);
          cross.signalExternal(exec, attrs, ev.eventId);
        });
        break;
      }
      case 'COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION': {
        const a = cmd.requestCancelExternalWorkflowExecutionCommandAttributes ?? {};
        if (!a.workflowId) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES', 'WorkflowId is required');
        plan.push((completedEventId) => {
          const attrs = {
            namespace: a.namespace || exec.namespace,
            execution: { workflowId: a.workflowId, runId: a.runId },
            control: a.control,
            childWorkflowOnly: a.childWorkflowOnly,
            reason: a.reason,
            workflowTaskCompletedEventId: completedEventId,
          };
          const ev = exec.append('RequestCancelExternalWorkflowExecutionInitiated', attrs, history.now());
          cross.cancelExternal(exec, attrs, ev.eventId);
        });
        break;
      }
      case 'COMMAND_TYPE_PROTOCOL_MESSAGE': {
        const messageId: string | undefined = cmd.protocolMessageCommandAttributes?.messageId;
        const m = messageId ? messagesById.get(messageId) : undefined;
        if (!m) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', `no message ${messageId}`);
        usedMessages.add(m.id);
        const effect = validateMessage(history, exec, m, acceptedInBatch);
        if (effect) plan.push(effect);
        break;
      }
      default:
        throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', `command ${type} is not supported by this engine`);
    }
  });
  // Messages no command points at (rejections, or acceptances from SDKs that send no command).
  for (const m of messages) {
    if (usedMessages.has(m.id)) continue;
    const effect = validateMessage(history, exec, m, acceptedInBatch);
    if (effect) plan.push(effect);
  }
  return plan;
}

/**
 * Checks one update protocol message; returns its effect. An acceptance for an update this engine
 * does not know (its admission was lost in a restart) is recorded from the request it carries,
 * so history matches the worker's state and the caller's retry finds the update done.
 */
function validateMessage(history: HistoryService, exec: Execution, m: Msg, acceptedInBatch: Set<string>): ((completedEventId: number) => void) | undefined {
  let body: { typeName: string; value: Msg } | undefined;
  try {
    body = unpackAny(m.body);
  } catch {
    throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', `message ${m.id} cannot be decoded`);
  }
  if (!body) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', `message ${m.id} has no body`);
  const updateId: string = m.protocolInstanceId;
  const known = exec.updates.get(updateId);
  if (known?.stage === 'completed') return undefined;
  switch (body.typeName) {
    case 'temporal.api.update.v1.Acceptance': {
      const acc = body.value;
      if (known && known.stage === 'accepted') return undefined;
      const request = acc.acceptedRequest ?? known?.request;
      if (!request) throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', `unknown update ${updateId}`);
      acceptedInBatch.add(updateId);
      return () => {
        let u = exec.updates.get(updateId);
        if (!u) {
          u = { updateId, request, stage: 'sent', waiters: [] };
          exec.own('updates').set(updateId, u);
        }
        const ev = exec.append(
          'WorkflowExecutionUpdateAccepted',
          {
            protocolInstanceId: updateId,
            acceptedRequestMessageId: acc.acceptedRequestMessageId,
            acceptedRequestSequencingEventId: acc.acceptedRequestSequencingEventId,
            acceptedRequest: request,
          },
          history.now(),
        );
        u.acceptedEventId = ev.eventId;
        // From here on the acceptance event holds the request.
        u.request = undefined;
        history.setUpdateStage(exec, u, 'accepted');
      };
    }
    case 'temporal.api.update.v1.Response': {
      const resp = body.value;
      if (!known && !acceptedInBatch.has(updateId)) {
        throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', `response for unknown update ${updateId}`);
      }
      return () => {
        const u = exec.updates.get(updateId);
        if (!u || u.stage === 'completed') return;
        const ev = exec.append('WorkflowExecutionUpdateCompleted', { meta: resp.meta ?? { updateId }, acceptedEventId: u.acceptedEventId ?? 0, outcome: resp.outcome }, history.now());
        u.outcome = resp.outcome;
        u.completedEventId = ev.eventId;
        history.setUpdateStage(exec, u, 'completed');
      };
    }
    case 'temporal.api.update.v1.Rejection': {
      const rej = body.value;
      if (!known) return undefined;
      return () => {
        known.outcome = { failure: rej.failure };
        history.setUpdateStage(exec, known, 'completed');
      };
    }
    default:
      throw new BadCommand('WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', `unknown message body ${body.typeName}`);
  }
}

/** The build id a completing worker reports, whichever field carries it. */
function buildIdOf(req: Msg): string | undefined {
  return req.deploymentOptions?.buildId || req.binaryChecksum || undefined;
}

/** Merges payload maps; a payload with no data removes the key (how SDKs unset values). */
function mergeFields(target: Msg, key: string, upserts: Msg): Msg {
  const fields: Msg = { ...(target?.[key] ?? {}) };
  for (const [k, v] of Object.entries(upserts ?? {})) {
    const data = (v as Msg)?.data as Uint8Array | undefined;
    // SDKs unset a value with an empty payload or an empty JSON list.
    if (!data || data.length === 0 || Buffer.from(data).toString() === '[]') delete fields[k];
    else fields[k] = v;
  }
  return { ...(target ?? {}), [key]: fields };
}

export const newRunId = (): string => randomUUID();

/** Index of the buffered TimerFired of `timerId` (fired while the current task ran), or -1. */
function bufferedTimerFired(exec: Execution, timerId: string): number {
  return exec.buffered.findIndex((b) => b.name === 'TimerFired' && b.attrs.timerId === timerId);
}
