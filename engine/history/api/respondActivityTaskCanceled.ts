/** RespondActivityTaskCanceled(ById) (Temporal: service/history/api/respondactivitytaskcanceled). */
import type { Msg } from '../../proto';
import type { ActivityState, Execution } from '../execution';
import type { HistoryService } from '../historyService';
import { finishActivity } from '../activityTasks';

export function invoke(history: HistoryService, exec: Execution, act: ActivityState, req: Msg): void {
  finishActivity(history, exec, act, 'ActivityTaskCanceled', { details: req.details, identity: req.identity ?? '', latestCancelRequestedEventId: act.cancelRequestedEventId ?? 0 }, true);
}
