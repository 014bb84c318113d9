/** DescribeWorkflowExecution (Temporal: service/history/api/describeworkflow). */
import { msToTimestamp, type Msg } from '../../proto';
import type { Execution } from '../execution';
import type { HistoryService } from '../historyService';

/** DescribeWorkflowExecution. */
export function invoke(history: HistoryService, exec: Execution): Msg {
  const a = exec.startedAttrs;
  const pendingActivities = [...exec.activities.values()].map((act) => ({
    activityId: act.activityId,
    activityType: act.attrs.activityType,
    state:
      act.cancelRequested ? 'PENDING_ACTIVITY_STATE_CANCEL_REQUESTED' : act.phase === 'started' ? 'PENDING_ACTIVITY_STATE_STARTED' : 'PENDING_ACTIVITY_STATE_SCHEDULED',
    heartbeatDetails: act.heartbeatDetails,
    lastHeartbeatTime: act.lastHeartbeatTime ? msToTimestamp(act.lastHeartbeatTime) : undefined,
    lastStartedTime: act.startedTime ? msToTimestamp(act.startedTime) : undefined,
    attempt: act.attempt,
    maximumAttempts: act.attrs.retryPolicy?.maximumAttempts ?? 0,
    scheduledTime: msToTimestamp(act.currentAttemptScheduledTime),
    lastFailure: act.lastFailure,
    lastWorkerIdentity: act.startedIdentity,
  }));
  const pendingChildren = [...exec.children.values()].map((c) => ({
    workflowId: c.workflowId,
    runId: c.runId,
    workflowTypeName: c.workflowType,
    initiatedId: c.initiatedEventId,
    parentClosePolicy: c.parentClosePolicy,
  }));
  return {
    executionConfig: {
      taskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowExecutionTimeout: a.workflowExecutionTimeout,
      workflowRunTimeout: a.workflowRunTimeout,
      defaultWorkflowTaskTimeout: a.workflowTaskTimeout,
      userMetadata: exec.startUserMetadata,
    },
    workflowExecutionInfo: {
      execution: { workflowId: exec.workflowId, runId: exec.runId },
      type: { name: exec.workflowType },
      startTime: msToTimestamp(exec.startTime),
      closeTime: exec.closeTime !== undefined ? msToTimestamp(exec.closeTime) : undefined,
      status: exec.status,
      historyLength: exec.eventCount,
      parentNamespaceId: a.parentWorkflowNamespace,
      parentExecution: a.parentWorkflowExecution,
      executionTime: msToTimestamp(exec.executionTime),
      memo: exec.memo,
      searchAttributes: exec.allSearchAttributes(),
      taskQueue: exec.taskQueue,
      stateTransitionCount: exec.eventCount,
      historySizeBytes: exec.historySizeBytes,
      rootExecution: a.rootWorkflowExecution ?? { workflowId: exec.workflowId, runId: exec.runId },
      firstRunId: exec.firstExecutionRunId,
    },
    pendingActivities,
    pendingChildren,
    pendingWorkflowTask: exec.wt
      ? {
          state: exec.wt.startedEventId !== undefined ? 'PENDING_WORKFLOW_TASK_STATE_STARTED' : 'PENDING_WORKFLOW_TASK_STATE_SCHEDULED',
          scheduledTime: msToTimestamp(exec.wt.scheduledTime),
          startedTime: exec.wt.startedTime !== undefined ? msToTimestamp(exec.wt.startedTime) : undefined,
          attempt: exec.wt.attempt,
        }
      : undefined,
  };
}
