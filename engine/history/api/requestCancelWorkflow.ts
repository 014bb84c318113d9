/** RequestCancelWorkflowExecution (Temporal: service/history/api/requestcancelworkflow). */
import { notFound } from '../../errors';
import type { Msg } from '../../proto';
import type { Execution } from '../execution';
import type { HistoryService } from '../historyService';
import { scheduleWorkflowTask } from '../workflowTasks';

export function invoke(history: HistoryService, exec: Execution, req: Msg, external?: Msg): void {
  if (!exec.isOpen) throw notFound('workflow execution already completed');
  if (req.requestId) {
    if (exec.requestIds.has(req.requestId)) return;
    exec.requestIds.add(req.requestId);
  }
  if (exec.cancelRequested) return;
  exec.cancelRequested = true;
  exec.addExternal('WorkflowExecutionCancelRequested', { cause: req.reason ?? '', identity: req.identity ?? '', externalWorkflowExecution: external }, history.now());
  history.markDirty(exec);
  scheduleWorkflowTask(history, exec);
}
