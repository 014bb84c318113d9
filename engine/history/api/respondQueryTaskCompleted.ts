/** RespondQueryTaskCompleted: a worker's answer to a legacy query task. */
import { invalidArgument, notFound } from '../../errors';
import type { Msg } from '../../proto';
import type { HistoryService } from '../historyService';
import type { TaskToken } from '../tokens';

/** RespondQueryTaskCompleted. */
export function invoke(history: HistoryService, token: TaskToken, req: Msg): void {
  if (token.k !== 'q') throw invalidArgument('not a query task token');
  const exec = history.findRun(token.ns, token.wid, token.rid);
  const q = exec?.legacyQueries.get(token.qid);
  if (!exec || !q) throw notFound('query not found (it may have timed out)');
  exec.legacyQueries.delete(token.qid);
  q.resolve({
    resultType: req.completedType === 'QUERY_RESULT_TYPE_ANSWERED' ? 'QUERY_RESULT_TYPE_ANSWERED' : 'QUERY_RESULT_TYPE_FAILED',
    answer: req.queryResult,
    errorMessage: req.errorMessage,
    failure: req.failure,
  });
  history.deps.onChange();
}
