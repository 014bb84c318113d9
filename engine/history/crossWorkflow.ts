import { randomUUID } from 'node:crypto';
import { EngineError, invalidArgument } from '../errors';
import { durationToMs, type Msg } from '../proto';
import { parseCron } from '../timers/cron';
import { decideRetry } from './activityPolicy';
import { Execution, STATUS, attrsOf } from './execution';
import type { HistoryService } from './historyService';
import type { CrossWorkflowCommands } from './workflowTaskCompletion';
import * as requestCancelWorkflow from './api/requestCancelWorkflow';
import * as signalWorkflow from './api/signalWorkflow';
import * as startWorkflow from './api/startWorkflow';
import { scheduleWorkflowTask } from './workflowTasks';

const CHILD_CLOSE_EVENT: Record<string, string> = {
  [STATUS.completed]: 'ChildWorkflowExecutionCompleted',
  [STATUS.failed]: 'ChildWorkflowExecutionFailed',
  [STATUS.canceled]: 'ChildWorkflowExecutionCanceled',
  [STATUS.terminated]: 'ChildWorkflowExecutionTerminated',
  [STATUS.timedOut]: 'ChildWorkflowExecutionTimedOut',
};

/**
 * Effects that cross runs: child workflows (start, result, parent close policy), signals and
 * cancellations of other workflows, continue-as-new and workflow retries. Runs notify each other
 * through history events, as in Temporal.
 */
export class CrossWorkflow implements CrossWorkflowCommands {
  constructor(private readonly history: HistoryService) {
    history.onRunClosed = (exec) => this.runClosed(exec);
  }

  validateStartChild(_exec: Execution, attrs: Msg): void {
    if (!attrs.workflowId) throw invalidArgument('WorkflowId is not set');
    if (!attrs.workflowType?.name) throw invalidArgument('WorkflowType is not set');
  }

  startChild(parent: Execution, attrs: Msg, initiatedEventId: number, userMetadata?: Msg): void {
    const h = this.history;
    const base = {
      namespace: attrs.namespace,
      workflowId: attrs.workflowId,
      workflowType: attrs.workflowType,
      initiatedEventId,
    };
    let child: Execution;
    try {
      ({ exec: child } = startWorkflow.invoke(h, 
        attrs.namespace,
        { ...attrs, userMetadata, requestId: `${parent.runKey}/${initiatedEventId}`, workflowIdConflictPolicy: 'WORKFLOW_ID_CONFLICT_POLICY_FAIL', identity: '' },
        {
          parent: { namespace: parent.namespace, workflowId: parent.workflowId, runId: parent.runId, initiatedEventId },
          rootExecution: parent.startedAttrs.rootWorkflowExecution ?? { workflowId: parent.workflowId, runId: parent.runId },
        },
      ));
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      parent.addExternal(
        'StartChildWorkflowExecutionFailed',
        { ...base, cause: 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS', control: attrs.control, workflowTaskCompletedEventId: attrs.workflowTaskCompletedEventId },
        h.now(),
      );
      parent.needsWorkflowTask = true;
      return;
    }
    parent.own('children').set(initiatedEventId, {
      initiatedEventId,
      workflowId: child.workflowId,
      runId: child.runId,
      namespace: child.namespace,
      workflowType: child.workflowType,
      parentClosePolicy: attrs.parentClosePolicy,
    });
    parent.addExternal('ChildWorkflowExecutionStarted', { ...base, workflowExecution: { workflowId: child.workflowId, runId: child.runId }, header: attrs.header }, h.now());
    parent.needsWorkflowTask = true;
    h.markDirty(child);
  }

  signalExternal(source: Execution, attrs: Msg, initiatedEventId: number): void {
    const h = this.history;
    const target = h.findRun(attrs.namespace, attrs.execution.workflowId, attrs.execution.runId || undefined);
    const base = { initiatedEventId, namespace: attrs.namespace, workflowExecution: attrs.execution, control: attrs.control };
    if (!target || !target.isOpen || (attrs.childWorkflowOnly && !this.isChildOf(target, source))) {
      source.addExternal('SignalExternalWorkflowExecutionFailed', { ...base, cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND', workflowTaskCompletedEventId: attrs.workflowTaskCompletedEventId }, h.now());
    } else {
      signalWorkflow.invoke(h, target, { signalName: attrs.signalName, input: attrs.input, header: attrs.header, identity: '', requestId: `${source.runKey}/signal/${initiatedEventId}` });
      h.markDirty(target);
      source.addExternal('ExternalWorkflowExecutionSignaled', { ...base, workflowExecution: { workflowId: target.workflowId, runId: target.runId } }, h.now());
    }
    source.needsWorkflowTask = true;
  }

  cancelExternal(source: Execution, attrs: Msg, initiatedEventId: number): void {
    const h = this.history;
    const target = h.findRun(attrs.namespace, attrs.execution.workflowId, attrs.execution.runId || undefined);
    const base = { initiatedEventId, namespace: attrs.namespace, workflowExecution: attrs.execution };
    if (!target || !target.isOpen) {
      source.addExternal('RequestCancelExternalWorkflowExecutionFailed', { ...base, cause: 'CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND', control: attrs.control, workflowTaskCompletedEventId: attrs.workflowTaskCompletedEventId }, h.now());
    } else {
      requestCancelWorkflow.invoke(h, target, { reason: attrs.reason, identity: '', requestId: `${source.runKey}/cancel/${initiatedEventId}` }, { workflowId: source.workflowId, runId: source.runId });
      h.markDirty(target);
      source.addExternal('ExternalWorkflowExecutionCancelRequested', { ...base, workflowExecution: { workflowId: target.workflowId, runId: target.runId } }, h.now());
    }
    source.needsWorkflowTask = true;
  }

  continueAsNew(exec: Execution, a: Msg, completedEventId: number): void {
    const h = this.history;
    const s = exec.startedAttrs;
    const runId = randomUUID();
    const workflowType = a.workflowType?.name ? a.workflowType : s.workflowType;
    const taskQueue = a.taskQueue?.name ? a.taskQueue : s.taskQueue;
    const runTimeout = a.workflowRunTimeout ?? s.workflowRunTimeout;
    const wtTimeout = a.workflowTaskTimeout ?? s.workflowTaskTimeout;
    exec.append(
      'WorkflowExecutionContinuedAsNew',
      {
        newExecutionRunId: runId,
        workflowType,
        taskQueue,
        input: a.input,
        workflowRunTimeout: runTimeout,
        workflowTaskTimeout: wtTimeout,
        workflowTaskCompletedEventId: completedEventId,
        backoffStartInterval: a.backoffStartInterval,
        initiator: a.initiator ?? 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW',
        failure: a.failure,
        lastCompletionResult: a.lastCompletionResult,
        header: a.header,
        memo: a.memo,
        searchAttributes: a.searchAttributes,
      },
      h.now(),
    );
    exec.newExecutionRunId = runId;
    h.closeRun(exec, STATUS.continuedAsNew);
    this.startNextRun(exec, runId, {
      workflowId: exec.workflowId,
      workflowType,
      taskQueue,
      input: a.input,
      workflowRunTimeout: runTimeout,
      workflowTaskTimeout: wtTimeout,
      workflowExecutionTimeout: s.workflowExecutionTimeout,
      header: a.header ?? s.header,
      memo: a.memo ?? exec.memo,
      searchAttributes: a.searchAttributes ?? exec.searchAttributes,
      retryPolicy: a.retryPolicy ?? s.retryPolicy,
    }, { initiator: a.initiator, lastCompletionResult: a.lastCompletionResult, continuedFailure: a.failure, backoffMs: durationToMs(a.backoffStartInterval), attempt: 1 });
  }

  continueCron(exec: Execution, eventName: string, attrs: Msg, carry: { lastCompletionResult?: Msg; continuedFailure?: Msg }): boolean {
    const h = this.history;
    const s = exec.startedAttrs;
    if (!s.cronSchedule) return false;
    const runId = randomUUID();
    const now = h.now();
    exec.append(eventName, { ...attrs, newExecutionRunId: runId }, now);
    exec.newExecutionRunId = runId;
    h.closeRun(exec, eventName === 'WorkflowExecutionCompleted' ? STATUS.completed : STATUS.failed);
    this.startNextRun(exec, runId, sameRunAgain(exec), { initiator: 'CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE', ...carry, backoffMs: Math.max(0, parseCron(s.cronSchedule).next(now) - now), attempt: 1 });
    return true;
  }

  retryWorkflow(exec: Execution, failure: Msg, completedEventId: number): boolean {
    const h = this.history;
    const s = exec.startedAttrs;
    if (!s.retryPolicy) return false;
    const decision = decideRetry(s.retryPolicy, Number(s.attempt ?? 1), failure, h.now(), exec.executionDeadline);
    if (!decision.retry) return false;
    const runId = randomUUID();
    exec.append('WorkflowExecutionFailed', { failure, retryState: 'RETRY_STATE_IN_PROGRESS', workflowTaskCompletedEventId: completedEventId, newExecutionRunId: runId }, h.now());
    exec.newExecutionRunId = runId;
    h.closeRun(exec, STATUS.failed);
    this.startNextRun(exec, runId, sameRunAgain(exec), { initiator: 'CONTINUE_AS_NEW_INITIATOR_RETRY', continuedFailure: failure, backoffMs: decision.delayMs, attempt: Number(s.attempt ?? 1) + 1 });
    return true;
  }

  /** Starts the run that follows `prev` (continue-as-new or retry), keeping parent and chain ids. */
  private startNextRun(prev: Execution, runId: string, req: Msg, extras: { initiator?: string; lastCompletionResult?: Msg; continuedFailure?: Msg; backoffMs: number; attempt: number }): void {
    const s = prev.startedAttrs;
    const parent = s.parentWorkflowExecution
      ? { namespace: s.parentWorkflowNamespace ?? prev.namespace, workflowId: s.parentWorkflowExecution.workflowId, runId: s.parentWorkflowExecution.runId, initiatedEventId: Number(s.parentInitiatedEventId ?? 0) }
      : undefined;
    const { exec } = startWorkflow.invoke(this.history, prev.namespace, { ...req, cronSchedule: s.cronSchedule, requestId: randomUUID() }, {
      runId,
      continuedFrom: prev,
      initiator: extras.initiator,
      lastCompletionResult: extras.lastCompletionResult,
      continuedFailure: extras.continuedFailure,
      attempt: extras.attempt,
      firstExecutionRunId: prev.firstExecutionRunId,
      executionDeadline: prev.executionDeadline,
      backoffMs: extras.backoffMs,
      parent,
      rootExecution: s.rootWorkflowExecution,
    });
    prev.newExecutionRunId = exec.runId;
    // A parent keeps tracking the chain under the new run id.
    if (parent) {
      const p = this.history.findRun(parent.namespace, parent.workflowId, parent.runId);
      const child = p?.children.get(parent.initiatedEventId);
      if (child) child.runId = exec.runId;
    }
  }

  private isChildOf(target: Execution, source: Execution): boolean {
    const p = target.startedAttrs.parentWorkflowExecution;
    return !!p && p.workflowId === source.workflowId && p.runId === source.runId;
  }

  /** Parent notification (child results) and the parent close policy for children. */
  private runClosed(exec: Execution): void {
    const h = this.history;
    const s = exec.startedAttrs;
    const eventName = CHILD_CLOSE_EVENT[exec.status];
    // A run followed by another (retry, cron) reports to its parent only at the end of the chain.
    const continued = !!exec.newExecutionRunId;
    if (s.parentWorkflowExecution && eventName && !continued) {
      const parent = h.findRun(s.parentWorkflowNamespace ?? exec.namespace, s.parentWorkflowExecution.workflowId, s.parentWorkflowExecution.runId);
      const initiatedEventId = Number(s.parentInitiatedEventId ?? 0);
      const child = parent?.isOpen ? parent.children.get(initiatedEventId) : undefined;
      if (parent && child) {
        parent.children.delete(initiatedEventId);
        const started = { eventId: child.startedEventId };
        const close = attrsOf(exec.lastEvent ?? {});
        parent.addExternal(
          eventName,
          {
            namespace: exec.namespace,
            workflowExecution: { workflowId: exec.workflowId, runId: exec.runId },
            workflowType: { name: exec.workflowType },
            initiatedEventId,
            startedEventId: started?.eventId ?? 0,
            result: close.result,
            failure: close.failure,
            details: close.details,
            retryState: close.retryState,
          },
          h.now(),
        );
        h.markDirty(parent);
        scheduleWorkflowTask(h, parent);
      }
    }
    for (const child of exec.children.values()) {
      const run = h.findRun(child.namespace, child.workflowId, child.runId);
      if (!run || !run.isOpen) continue;
      if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_TERMINATE') {
        h.terminateRun(run, 'by parent close policy', undefined, '');
      } else if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_REQUEST_CANCEL') {
        requestCancelWorkflow.invoke(h, run, { identity: '' });
      }
      h.markDirty(run);
    }
    if (exec.status !== STATUS.continuedAsNew) exec.children.clear();
  }
}

/** The start request of a run that repeats `exec` as it was started (cron and workflow retries). */
function sameRunAgain(exec: Execution): Msg {
  const s = exec.startedAttrs;
  return {
    workflowId: exec.workflowId,
    workflowType: s.workflowType,
    taskQueue: s.taskQueue,
    input: s.input,
    workflowRunTimeout: s.workflowRunTimeout,
    workflowTaskTimeout: s.workflowTaskTimeout,
    workflowExecutionTimeout: s.workflowExecutionTimeout,
    header: s.header,
    memo: exec.memo,
    searchAttributes: exec.searchAttributes,
    retryPolicy: s.retryPolicy,
  };
}
