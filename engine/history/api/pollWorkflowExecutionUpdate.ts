/** PollWorkflowExecutionUpdate (Temporal: service/history/api/pollupdate). */
import { notFound } from '../../errors';
import type { Msg } from '../../proto';
import type { Execution } from '../execution';
import type { HistoryService } from '../historyService';
import { updateResponse, updateStageOf, waitForUpdate } from './updateWorkflow';

/** PollWorkflowExecutionUpdate. */
export async function invoke(history: HistoryService, exec: Execution, updateId: string, lifecycleStage: string | undefined, waitMs: number): Promise<Msg> {
  const u = exec.updates.get(updateId);
  if (!u) throw notFound(`update "${updateId}" not found`);
  await waitForUpdate(history, u, updateStageOf(lifecycleStage), waitMs);
  await history.durable();
  const r = await updateResponse(history, exec, u);
  return { outcome: r.outcome, stage: r.stage, updateRef: r.updateRef };
}
