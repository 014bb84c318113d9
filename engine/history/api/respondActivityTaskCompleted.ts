/** RespondActivityTaskCompleted(ById) (Temporal: service/history/api/respondactivitytaskcompleted). */
import type { Msg } from '../../proto';
import type { ActivityState, Execution } from '../execution';
import type { HistoryService } from '../historyService';

export function invoke(history: HistoryService, exec: Execution, act: ActivityState, req: Msg): void {
  history.finishActivity(exec, act, 'ActivityTaskCompleted', { result: req.result, identity: req.identity ?? '' }, true);
}
