/** RespondWorkflowTaskFailed (Temporal: service/history/api/respondworkflowtaskfailed). */
import type { Msg } from '../../proto';
import type { HistoryService } from '../historyService';
import type { TaskToken } from '../tokens';

/** RespondWorkflowTaskFailed. */
export function invoke(history: HistoryService, token: TaskToken, req: Msg): void {
  const { exec, wt } = history.runningWorkflowTask(token);
  history.abandonWorkflowTask(exec, 'WorkflowTaskFailed', {
    scheduledEventId: wt.scheduledEventId,
    startedEventId: wt.startedEventId,
    cause: req.cause ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED',
    failure: req.failure,
    identity: req.identity ?? '',
    binaryChecksum: req.binaryChecksum,
  });
}
