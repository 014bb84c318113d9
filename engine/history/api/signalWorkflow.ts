/** SignalWorkflowExecution (Temporal: service/history/api/signalworkflow). */
import { notFound, requireString } from '../../errors';
import type { Msg } from '../../proto';
import type { Execution } from '../execution';
import type { HistoryService } from '../historyService';
import { scheduleWorkflowTask } from '../workflowTasks';

export function invoke(history: HistoryService, exec: Execution, req: Msg): void {
  const signalName = requireString(req.signalName, 'SignalName');
  if (!exec.isOpen) throw notFound('workflow execution already completed');
  if (req.requestId) {
    if (exec.requestIds.has(req.requestId)) return;
    exec.requestIds.add(req.requestId);
  }
  exec.addExternal('WorkflowExecutionSignaled', { signalName, input: req.input, identity: req.identity ?? '', header: req.header, links: req.links }, history.now());
  history.markDirty(exec);
  scheduleWorkflowTask(history, exec);
}
