/** RespondActivityTaskCompleted(ById) (Temporal: service/history/api/respondactivitytaskcompleted). */
import type { Msg } from '../../proto';
import type { ActivityState, Execution } from '../execution';
import type { HistoryService } from '../historyService';
import { finishActivity } from '../activityTasks';

export function invoke(history: HistoryService, exec: Execution, act: ActivityState, req: Msg): void {
  finishActivity(history, exec, act, 'ActivityTaskCompleted', { result: req.result, identity: req.identity ?? '' }, true);
}
