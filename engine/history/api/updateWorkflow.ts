/** UpdateWorkflowExecution (Temporal: service/history/api/updateworkflow). */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { EngineError, notFound, requireString } from '../../errors';
import type { Msg } from '../../proto';
import type { Execution, UpdateStage, UpdateState } from '../execution';
import { STAGE_ORDER, type HistoryService } from '../historyService';
import { promoteWorkflowTask, scheduleWorkflowTask } from '../workflowTasks';

const MAX_IN_FLIGHT_UPDATES = 10;
const MAX_TOTAL_UPDATES = 2000;
const STAGE_ENUM: Record<UpdateStage, string> = {
  admitted: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED',
  sent: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED',
  accepted: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED',
  completed: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED',
};

/** UpdateWorkflowExecution: admits (or finds, by update id) an update and waits for the stage asked. */
export async function invoke(history: HistoryService, exec: Execution, req: Msg, waitMs: number): Promise<Msg> {
  return answer(history, exec, admit(history, exec, req), req, waitMs);
}

/**
 * Admits an update (or finds it, by update id) and schedules the workflow task that delivers it.
 * Synchronous, so update-with-start can admit its update before the run's first task is queued.
 */
export function admit(history: HistoryService, exec: Execution, req: Msg): UpdateState {
  const updateId: string = req.request?.meta?.updateId || randomUUID();
  requireString(req.request?.input?.name, 'Update name');
  const known = exec.updates.get(updateId);
  if (known) return known;
  if (!exec.isOpen) throw notFound('workflow execution already completed');
  // Temporal's per-run limits: 10 updates in flight, 2000 in all.
  const inFlight = [...exec.updates.values()].filter((x) => x.stage !== 'completed').length;
  if (inFlight >= MAX_IN_FLIGHT_UPDATES) {
    throw new EngineError(grpcStatus.RESOURCE_EXHAUSTED, `limit on number of concurrent in-flight updates has been reached (${MAX_IN_FLIGHT_UPDATES})`);
  }
  if (exec.updates.size >= MAX_TOTAL_UPDATES) {
    throw new EngineError(grpcStatus.FAILED_PRECONDITION, `limit on number of total updates has been reached (${MAX_TOTAL_UPDATES})`);
  }
  const request = { ...req.request, meta: { ...(req.request?.meta ?? {}), updateId } };
  const u: UpdateState = { updateId, request, stage: 'admitted', waiters: [] };
  exec.own('updates').set(updateId, u);
  // An update does not wait out a start delay: it brings the first workflow task forward.
  if (exec.startBackoffTimer !== undefined) {
    history.deps.timers.cancel(exec.startBackoffTimer);
    exec.startBackoffTimer = undefined;
  }
  // The task scheduled to deliver it is written with its start (the poll's write), not on its
  // own: until the update is accepted nothing of it is durable anyway, as in Temporal (which
  // uses a speculative task). One store write less per action (issue 9).
  if (!exec.wt) scheduleWorkflowTask(history, exec);
  else promoteWorkflowTask(history, exec);
  return u;
}

/** Waits for the stage the request's wait policy asks of an admitted update, then answers it. */
export async function answer(history: HistoryService, exec: Execution, u: UpdateState, req: Msg, waitMs: number): Promise<Msg> {
  const wanted = updateStageOf(req.waitPolicy?.lifecycleStage);
  await waitForUpdate(history, u, wanted, waitMs);
  // The stage reached (acceptance, completion) is answered only once it is durable.
  await history.durable();
  return await updateResponse(history, exec, u);
}

export function waitForUpdate(history: HistoryService, u: UpdateState, wanted: UpdateStage, waitMs: number): Promise<void> {
  if (STAGE_ORDER[u.stage] >= STAGE_ORDER[wanted]) return Promise.resolve();
  return new Promise((resolve) => {
    const waiter = { stage: wanted, resolve: () => finish() };
    const timer = setTimeout(() => finish(), Math.max(0, waitMs));
    const finish = () => {
      clearTimeout(timer);
      u.waiters = u.waiters.filter((w) => w !== waiter);
      resolve();
    };
    u.waiters.push(waiter);
  });
}

export async function updateResponse(history: HistoryService, exec: Execution, u: UpdateState): Promise<Msg> {
  return {
    updateRef: { workflowExecution: { workflowId: exec.workflowId, runId: exec.runId }, updateId: u.updateId },
    outcome: await history.cache.updateOutcome(exec, u),
    stage: STAGE_ENUM[u.stage],
  };
}

/** The stage a wait policy asks for. */
export function updateStageOf(stage: string | undefined): UpdateStage {
  switch (stage) {
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED':
      return 'accepted';
    case 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED':
      return 'completed';
    default:
      return 'admitted';
  }
}
