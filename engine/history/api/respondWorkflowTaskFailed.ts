/** RespondWorkflowTaskFailed (Temporal: service/history/api/respondworkflowtaskfailed). */
import type { Msg } from '../../proto';
import type { HistoryService } from '../historyService';
import type { TaskToken } from '../tokens';
import { abandonWorkflowTask, runningWorkflowTask } from '../workflowTasks';

/** RespondWorkflowTaskFailed. */
export function invoke(history: HistoryService, token: TaskToken, req: Msg): void {
  const { exec, wt } = runningWorkflowTask(history, token);
  abandonWorkflowTask(history, exec, 'WorkflowTaskFailed', {
    scheduledEventId: wt.scheduledEventId,
    startedEventId: wt.startedEventId,
    cause: req.cause ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED',
    failure: req.failure,
    identity: req.identity ?? '',
    binaryChecksum: req.binaryChecksum,
  });
}
