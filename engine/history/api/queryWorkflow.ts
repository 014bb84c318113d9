/** QueryWorkflow (Temporal: service/history/api/queryworkflow). */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { EngineError, failedPrecondition, requireString } from '../../errors';
import type { Msg } from '../../proto';
import { STATUS, type Execution, type PendingQuery } from '../execution';
import type { HistoryService } from '../historyService';
import { promoteWorkflowTask, sendLegacyQuery } from '../workflowTasks';

/** QueryWorkflow: resolves with the QueryWorkflowResponse. */
export function invoke(history: HistoryService, exec: Execution, req: Msg): Promise<Msg> {
  requireString(req.query?.queryType, 'QueryType');
  const condition: string = req.queryRejectCondition ?? 'QUERY_REJECT_CONDITION_NONE';
  if (!exec.isOpen) {
    const notOpen = condition === 'QUERY_REJECT_CONDITION_NOT_OPEN';
    const notClean = condition === 'QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY' && exec.status !== STATUS.completed;
    if (notOpen || notClean) return Promise.resolve({ queryRejected: { status: exec.status } });
  }
  return new Promise<Msg>((resolve, reject) => {
    const q: PendingQuery = {
      id: randomUUID(),
      query: req.query,
      resolve: (result) => {
        if (result.resultType === 'QUERY_RESULT_TYPE_ANSWERED') resolve({ queryResult: result.answer });
        else reject(new EngineError(grpcStatus.INVALID_ARGUMENT, result.errorMessage || result.failure?.message || 'query failed'));
      },
      reject,
    };
    if (exec.isOpen && exec.wt && exec.wt.startedEventId === undefined) {
      // Answered with the queued task (Temporal's consistent query), which a person now waits on.
      exec.wt.queries.push(q);
      promoteWorkflowTask(history, exec);
    } else if (exec.isOpen && exec.wtInFlight) exec.waitingQueries.push(q);
    else if (exec.previousStartedEventId === 0 && !exec.taskEverStarted) {
      // No workflow code has run yet (start delay): there is nothing a worker could answer from.
      reject(failedPrecondition('workflow has not started its first workflow task yet; query it after the start delay'));
      return;
    } else sendLegacyQuery(history, exec, q);
    history.deps.onChange();
  });
}

/** Drops a query whose caller went away. */
export function forgetQuery(history: HistoryService, exec: Execution, queryId: string): void {
  exec.legacyQueries.delete(queryId);
  exec.waitingQueries = exec.waitingQueries.filter((q) => q.id !== queryId);
  if (exec.wt) exec.wt.queries = exec.wt.queries.filter((q) => q.id !== queryId);
  history.deps.onChange();
}
