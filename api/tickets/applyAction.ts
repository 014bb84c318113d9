/**
 * One action as a workflow update, answered honestly when the work order is slow: a 503 "try
 * again" says whether the action was applied (`applied`), and names the `idempotencyKey` a retry
 * must carry — the caller's own, or one the API chose — so a retry is always the same update
 * (Temporal applies an update id once) and can never apply the action twice.
 *
 * Two stages under one deadline: until the workflow has accepted the update (its validator
 * passed and the handler started: applied), then until it answers (recorded).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateStage, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { HttpError, fromWorkflowError } from '../http/errors';

export interface ActionUpdate<S> {
  update: UpdateDefinition<S, [any]>;
  args: Record<string, unknown>;
  /** The action's name and caller, which scope the key (`<name>/<userId>/<key>`). */
  name: string;
  userId: string;
  idempotencyKey?: string;
  /** When the whole call must have answered (epoch ms). */
  until: number;
}

function slow(error: unknown, applied: boolean, idempotencyKey: string): never {
  const mapped = fromWorkflowError(error);
  if (mapped?.status !== 503) throw error;
  const message = applied
    ? 'the work order applied the action but has not finished recording it; retry with the same Idempotency-Key to get its result (it will not be applied twice)'
    : 'the work order has not confirmed the action in time: it is not applied yet but may still be, once; retry with the same Idempotency-Key to get its result (it will not be applied twice)';
  throw new HttpError(503, mapped.type, message, undefined, { applied, idempotencyKey });
}

/**
 * Applies the action; resolves with the workflow's answer.
 *
 * @throws HttpError 503 `{ applied, idempotencyKey }` when the deadline passed; other workflow
 *   errors (refusal, not found) as the client threw them
 */
export async function applyAction<S>(temporal: Client, handle: WorkflowHandle, action: ActionUpdate<S>): Promise<S> {
  const key = action.idempotencyKey ?? randomUUID();
  const updateId = `${action.name}/${action.userId}/${key}`;
  let accepted;
  try {
    accepted = await temporal.withDeadline(action.until, () =>
      handle.startUpdate(action.update as UpdateDefinition<S, [Record<string, unknown>]>, {
        args: [action.args],
        updateId,
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      }),
    );
  } catch (error) {
    slow(error, false, key);
  }
  try {
    return await temporal.withDeadline(action.until, () => accepted.result());
  } catch (error) {
    slow(error, true, key);
  }
}
