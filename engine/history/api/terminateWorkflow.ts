/** TerminateWorkflowExecution (Temporal: service/history/api/terminateworkflow). */
import { notFound } from '../../errors';
import type { Msg } from '../../proto';
import type { Execution } from '../execution';
import type { HistoryService } from '../historyService';

export function invoke(history: HistoryService, exec: Execution, req: Msg): void {
  if (!exec.isOpen) throw notFound('workflow execution already completed');
  history.terminateRun(exec, req.reason ?? '', req.details, req.identity ?? '');
}
