/**
 * Every message of the work-order workflow, defined once: the workflow registers handlers for
 * them and the API imports them (never strings). Workflow-safe and zod-free: the API's table of
 * actions (body schema, roles) is api/tickets/actions.ts.
 *
 * Every actor action is an **update**: the caller learns at once whether it was accepted. Each
 * takes `Acted<X>` (the action's body from domain/workorder.ts plus the `actor`, which the API
 * fills from the caller's token) and returns the new {@link WorkOrderState}. A refused action
 * fails with an `ApplicationFailure` whose `type` is a {@link RefusalType} (see
 * domain/workorder.ts `refusalTypes`); the client sees `WorkflowUpdateFailedError` with that
 * failure as `cause`.
 *
 * @example
 * const state = await client.workflow.getHandle(id).executeUpdate(signUpdate, {
 *   args: [{ actor: { userId: 'u1', role: 'unit', unitId: 'kf-001' } }],
 * });
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  Acted,
  Callback,
  Contact,
  Dispatch,
  ExpertRuling,
  ExtensionRequest,
  ExtensionReview,
  Instruction,
  PreBrief,
  Reply,
  ReplyReview,
  ReturnRequest,
  ReturnReview,
  Sign,
  Supervise,
  Withdraw,
} from '../domain/workorder';
import type { CalendarUpdate, CalendarUpdateResult, WorkOrderState } from './types';

export type * from './types';
export { RULES_VERSION, systemActor } from './types';

/** The task queue the worker polls and the API starts work orders on. */
export const TASK_QUEUE = 'work-orders';

/** The workflow type name (the exported function in workflows/workOrder.ts). */
export const WORKFLOW_TYPE = 'workOrderWorkflow';

// ---- The center's actions ---------------------------------------------------------------------

/** 先行简告: one phone attempt to the caller (003). Role: center. */
export const preBriefUpdate = defineUpdate<WorkOrderState, [Acted<PreBrief>]>('preBrief');
/** 批办: the leadership instruction that releases a held work order (004). Role: center, supervisor. */
export const instructionUpdate = defineUpdate<WorkOrderState, [Acted<Instruction>]>('instruction');
/** 派单: dispatch to a main unit and co-units (also after an approved return). Role: center. */
export const dispatchUpdate = defineUpdate<WorkOrderState, [Acted<Dispatch>]>('dispatch');
/** 退单审核: approve (re-dispatch, clocks restart) or reject (same unit, clock keeps its start). Role: center. */
export const returnReviewUpdate = defineUpdate<WorkOrderState, [Acted<ReturnReview>]>('returnReview');
/** 延期审核: approve (moves the completion deadline) or refuse. Role: center. */
export const extensionReviewUpdate = defineUpdate<WorkOrderState, [Acted<ExtensionReview>]>('extensionReview');
/** 办结审核: accept the reply (→ callback) or send it back to the unit. Role: center. */
export const replyReviewUpdate = defineUpdate<WorkOrderState, [Acted<ReplyReview>]>('replyReview');
/** 回访: the citizen's verdict → close, re-handling, or expert evaluation. Role: center. */
export const callbackUpdate = defineUpdate<WorkOrderState, [Acted<Callback>]>('callback');
/** 专业评价 (002 三): the evaluator's final grade. Role: evaluator (专业评价员, 002 三(一)), admin. */
export const expertRulingUpdate = defineUpdate<WorkOrderState, [Acted<ExpertRuling>]>('expertRuling');
/** 撤单: the citizen says it is solved; any open stage. Role: center. */
export const withdrawUpdate = defineUpdate<WorkOrderState, [Acted<Withdraw>]>('withdraw');
/** 督办 by hand, any open stage. Role: center, supervisor. */
export const superviseUpdate = defineUpdate<WorkOrderState, [Acted<Supervise>]>('supervise');

// ---- The unit's actions -----------------------------------------------------------------------

/** 签收. Role: unit (main or co-unit of the current dispatch). */
export const signUpdate = defineUpdate<WorkOrderState, [Acted<Sign>]>('sign');
/** 退单 with a reason, within the return window. Role: unit (main or co-unit). */
export const returnRequestUpdate = defineUpdate<WorkOrderState, [Acted<ReturnRequest>]>('returnRequest');
/** 先行联系: one attempt to reach the caller. Role: unit (main unit, signed). */
export const contactUpdate = defineUpdate<WorkOrderState, [Acted<Contact>]>('contact');
/** 延期申请. Role: unit (main unit). */
export const extensionRequestUpdate = defineUpdate<WorkOrderState, [Acted<ExtensionRequest>]>('extensionRequest');
/** 办结回复 with the fields 003 lists. Role: unit (main unit). */
export const replyUpdate = defineUpdate<WorkOrderState, [Acted<Reply>]>('reply');

// ---- Creation -------------------------------------------------------------------------------

/**
 * Sent with the start (update-with-start) by the API's `POST /tickets`: answers the work order's
 * first state once its intake is recorded (timeline and read model), so a creation needs no
 * separate wait for the first workflow task. Sent again later, it answers the current state
 * (recorded); it changes nothing. No role: the caller creates or reads.
 */
export const createdStateUpdate = defineUpdate<WorkOrderState, []>('createdState');

// ---- The calendar ------------------------------------------------------------------------------

/**
 * 节假日安排: a year's official schedule reached the hotline (an administrator imported the
 * notice, or a library update brought it). Provisional deadlines that depend on that year are
 * recomputed (only those, and only future ones); the timeline records who and what. Sent by the
 * API's calendar import, not by a person's action. Role: admin (or system).
 */
export const calendarUpdate = defineUpdate<CalendarUpdateResult, [CalendarUpdate]>('calendarUpdate');

// ---- Reading --------------------------------------------------------------------------------

/** The live state: stage, clocks, extensions, escalations, units, timeline. Unmasked: the API
 * masks the caller's identity per reader. */
export const stateQuery = defineQuery<WorkOrderState>('state');
