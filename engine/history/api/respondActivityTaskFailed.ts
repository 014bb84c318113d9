/** RespondActivityTaskFailed(ById) (Temporal: service/history/api/respondactivitytaskfailed). */
import type { Msg } from '../../proto';
import type { ActivityState, Execution } from '../execution';
import type { HistoryService } from '../historyService';
import { finishActivity, retryActivity } from '../activityTasks';

export function invoke(history: HistoryService, exec: Execution, act: ActivityState, req: Msg): void {
  const failure: Msg = req.failure ?? { message: 'activity failed' };
  if (req.lastHeartbeatDetails) act.heartbeatDetails = req.lastHeartbeatDetails;
  if (!retryActivity(history, exec, act, failure)) return;
  finishActivity(history, exec, act, 'ActivityTaskFailed', { failure, identity: req.identity ?? '', retryState: act.finalRetryState }, true);
}
