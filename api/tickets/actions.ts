/**
 * Every work-order action as the API exposes it: the update (workflows/messages.ts), the zod
 * schema of its body and who may call it. Kept on the API side so the workflow bundle carries no
 * schema (issue 9); the workflow receives bodies already parsed by these schemas.
 */
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import {
  callbackSchema,
  contactSchema,
  dispatchSchema,
  expertRulingSchema,
  extensionRequestSchema,
  extensionReviewSchema,
  instructionSchema,
  preBriefSchema,
  replyReviewSchema,
  replySchema,
  returnRequestSchema,
  returnReviewSchema,
  signSchema,
  superviseSchema,
  withdrawSchema,
  type Acted,
  type Actor,
} from '../../domain/workorder';
import {
  callbackUpdate,
  contactUpdate,
  dispatchUpdate,
  expertRulingUpdate,
  extensionRequestUpdate,
  extensionReviewUpdate,
  instructionUpdate,
  preBriefUpdate,
  replyReviewUpdate,
  replyUpdate,
  returnRequestUpdate,
  returnReviewUpdate,
  signUpdate,
  superviseUpdate,
  withdrawUpdate,
  type WorkOrderState,
} from '../../workflows/messages';

type Role = Actor['role'];

/** An action as the API exposes it: its update, the body schema, and who may call it. */
export interface WorkOrderAction<Body> {
  update: UpdateDefinition<WorkOrderState, [Acted<Body>]>;
  /** zod schema of the request body (without `actor`). */
  schema: z.ZodType<Body, any>;
  /** Roles the workflow accepts (`admin` acts as the center). */
  roles: readonly Role[];
}

const center: readonly Role[] = ['center', 'admin'];
const centerOrSupervisor: readonly Role[] = ['center', 'supervisor', 'admin'];
const unit: readonly Role[] = ['unit'];
const evaluator: readonly Role[] = ['evaluator', 'admin']; // 专业评价员 (002 三(一))

/**
 * Every action by its URL-friendly name (`POST /tickets/:id/<name>`), with its update, body
 * schema and allowed roles. The workflow checks roles itself; this lets the API answer early.
 */
export const workOrderActions = {
  'pre-brief': { update: preBriefUpdate, schema: preBriefSchema, roles: center },
  instruction: { update: instructionUpdate, schema: instructionSchema, roles: centerOrSupervisor },
  dispatch: { update: dispatchUpdate, schema: dispatchSchema, roles: center },
  'return-review': { update: returnReviewUpdate, schema: returnReviewSchema, roles: center },
  'extension-review': { update: extensionReviewUpdate, schema: extensionReviewSchema, roles: center },
  'reply-review': { update: replyReviewUpdate, schema: replyReviewSchema, roles: center },
  callback: { update: callbackUpdate, schema: callbackSchema, roles: center },
  'expert-ruling': { update: expertRulingUpdate, schema: expertRulingSchema, roles: evaluator },
  withdraw: { update: withdrawUpdate, schema: withdrawSchema, roles: center },
  supervise: { update: superviseUpdate, schema: superviseSchema, roles: centerOrSupervisor },
  sign: { update: signUpdate, schema: signSchema, roles: unit },
  return: { update: returnRequestUpdate, schema: returnRequestSchema, roles: unit },
  contact: { update: contactUpdate, schema: contactSchema, roles: unit },
  extension: { update: extensionRequestUpdate, schema: extensionRequestSchema, roles: unit },
  reply: { update: replyUpdate, schema: replySchema, roles: unit },
} as const satisfies Record<string, WorkOrderAction<any>>;

export type WorkOrderActionName = keyof typeof workOrderActions;
