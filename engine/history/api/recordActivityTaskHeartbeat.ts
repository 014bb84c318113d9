/** RecordActivityTaskHeartbeat(ById) (Temporal: service/history/api/recordactivitytaskheartbeat). */
import type { Msg } from '../../proto';
import type { ActivityState, Execution } from '../execution';
import type { HistoryService } from '../historyService';
import { armHeartbeatTimer } from '../activityTasks';

export function invoke(history: HistoryService, exec: Execution, act: ActivityState, details: Msg | undefined): Msg {
  if (details) act.heartbeatDetails = details;
  act.lastHeartbeatTime = history.now();
  armHeartbeatTimer(history, exec, act);
  return { cancelRequested: act.cancelRequested, activityPaused: false, activityReset: false };
}
