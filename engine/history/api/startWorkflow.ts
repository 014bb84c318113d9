/** StartWorkflowExecution and every other start (Temporal: service/history/api/startworkflow). */
import { randomUUID } from 'node:crypto';
import { EngineError, alreadyExists, invalidArgument, requireString } from '../../errors';
import { runKeyOf } from '../../persistence/store';
import { durationToMs, msToDuration, msToTimestamp, type Msg } from '../../proto';
import { parseCron } from '../../timers/cron';
import { Execution, STATUS, leanStartAttrs } from '../execution';
import { DEFAULT_WT_TIMEOUT_MS, MAX_WT_TIMEOUT_MS, type HistoryService, type StartExtras } from '../historyService';
import { scheduleWorkflowTask } from '../workflowTasks';

/**
 * Starts a run (StartWorkflowExecution, SignalWithStart, children, continue-as-new), applying
 * the id reuse and conflict policies. Returns the run and whether it was newly started.
 */
export function invoke(history: HistoryService, namespace: string, req: Msg, extras: StartExtras = {}): { exec: Execution; started: boolean } {
  const workflowId = requireString(req.workflowId, 'WorkflowId');
  if (workflowId.length > 1000) throw invalidArgument('WorkflowId exceeds length limit');
  const workflowType = requireString(req.workflowType?.name, 'WorkflowType');
  const taskQueue = requireString(req.taskQueue?.name, 'TaskQueue');
  const executionTimeout = durationToMs(req.workflowExecutionTimeout);
  let runTimeout = durationToMs(req.workflowRunTimeout);
  let wtTimeout = durationToMs(req.workflowTaskTimeout);
  if (executionTimeout < 0 || runTimeout < 0 || wtTimeout < 0) throw invalidArgument('workflow timeouts must not be negative');
  if (executionTimeout > 0 && (runTimeout === 0 || runTimeout > executionTimeout)) runTimeout = executionTimeout;
  if (wtTimeout === 0) wtTimeout = DEFAULT_WT_TIMEOUT_MS;
  wtTimeout = Math.min(wtTimeout, MAX_WT_TIMEOUT_MS, runTimeout > 0 ? runTimeout : Infinity);
  const requestId: string = req.requestId || randomUUID();

  const existing = extras.continuedFrom ? undefined : history.findRun(namespace, workflowId);
  if (existing) {
    if (existing.requestIds.has(requestId)) return { exec: existing, started: true };
    const reuse: string = req.workflowIdReusePolicy ?? 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE';
    const conflict: string = req.workflowIdConflictPolicy ?? 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED';
    if (existing.isOpen) {
      if (conflict === 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING') return { exec: existing, started: false };
      if (conflict === 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING' || reuse === 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING') {
        history.terminateRun(existing, 'terminated by workflow id conflict policy', undefined, req.identity ?? '');
      } else {
        throw alreadyStarted(history, existing);
      }
    } else if (reuse === 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE') {
      throw alreadyStarted(history, existing);
    } else if (reuse === 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY' && (existing.status === STATUS.completed || existing.status === STATUS.continuedAsNew)) {
      throw alreadyStarted(history, existing);
    }
  }

  const now = history.now();
  const runId = extras.runId ?? randomUUID();
  const firstExecutionRunId = extras.firstExecutionRunId ?? runId;
  const executionDeadline = extras.executionDeadline ?? (executionTimeout > 0 ? now + executionTimeout : 0);
  const cron = req.cronSchedule ? parseCron(req.cronSchedule) : undefined;
  const backoffMs = extras.backoffMs ?? (cron ? cron.next(now) - now : durationToMs(req.workflowStartDelay));
  const searchAttributes = history.deps.typeSearchAttributes(namespace, req.searchAttributes);
  const startedAttrs: Msg = {
    workflowType: { name: workflowType },
    taskQueue: { name: taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    input: req.input,
    // Unset timeouts stay absent, as the server writes them (SDKs read 0 as a real value).
    workflowExecutionTimeout: executionTimeout > 0 ? msToDuration(executionTimeout) : undefined,
    workflowRunTimeout: runTimeout > 0 ? msToDuration(runTimeout) : undefined,
    workflowTaskTimeout: msToDuration(wtTimeout),
    originalExecutionRunId: runId,
    identity: req.identity ?? '',
    firstExecutionRunId,
    attempt: extras.attempt ?? 1,
    header: req.header,
    memo: req.memo,
    searchAttributes,
    retryPolicy: req.retryPolicy,
    workflowId,
    priority: req.priority,
    cronSchedule: req.cronSchedule || undefined,
  };
  if (executionDeadline > 0) startedAttrs.workflowExecutionExpirationTime = msToTimestamp(executionDeadline);
  if (backoffMs > 0) startedAttrs.firstWorkflowTaskBackoff = msToDuration(backoffMs);
  if (extras.parent) {
    startedAttrs.parentWorkflowNamespace = extras.parent.namespace;
    startedAttrs.parentWorkflowExecution = { workflowId: extras.parent.workflowId, runId: extras.parent.runId };
    startedAttrs.parentInitiatedEventId = extras.parent.initiatedEventId;
  }
  if (extras.rootExecution) startedAttrs.rootWorkflowExecution = extras.rootExecution;
  if (extras.continuedFrom) {
    startedAttrs.continuedExecutionRunId = extras.continuedFrom.runId;
    startedAttrs.initiator = extras.initiator ?? 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW';
  }
  if (extras.lastCompletionResult) startedAttrs.lastCompletionResult = extras.lastCompletionResult;
  if (extras.continuedFailure) startedAttrs.continuedFailure = extras.continuedFailure;
  for (const k of Object.keys(startedAttrs)) if (startedAttrs[k] === undefined) delete startedAttrs[k];

  // The run keeps compact, shared copies of what it keeps of the request (the event has it all).
  const kept = history.shared.liveStartAttrs(leanStartAttrs(startedAttrs), runId);
  const exec = new Execution(runKeyOf(namespace, workflowId, runId), namespace, workflowId, runId, workflowType, taskQueue, now, kept, firstExecutionRunId, now + backoffMs);
  exec.created = true;
  exec.requestIds.add(requestId);
  exec.startRequestId = requestId;
  exec.executionDeadline = executionDeadline;
  exec.append('WorkflowExecutionStarted', startedAttrs, now, req.userMetadata);
  exec.startUserMetadata = history.shared.object(req.userMetadata);
  history.runs.set(exec.runKey, exec);
  history.current.set(`${namespace}/${workflowId}`, exec.runKey);
  history.markDirty(exec);

  history.armRunTimeout(exec);
  if (backoffMs > 0) history.armStartBackoff(exec, now + backoffMs);
  extras.beforeFirstTask?.(exec);
  if (backoffMs <= 0) scheduleWorkflowTask(history, exec);
  return { exec, started: true };
}

function alreadyStarted(history: HistoryService, existing: Execution): EngineError {
  return alreadyExists(`Workflow execution is already running. WorkflowId: ${existing.workflowId}, RunId: ${existing.runId}.`, {
    typeName: 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
    value: { startRequestId: existing.startRequestId, runId: existing.runId },
  });
}
