/**
 * The rules of one work order's life (RULES.md "Lifecycle"), as a deterministic state machine:
 * actions are checked ({@link WorkOrderLifecycle.check}, used by the update validators, read
 * only) and applied ({@link WorkOrderLifecycle.apply}); the clock is advanced with
 * {@link WorkOrderLifecycle.tick}. Every change appends timeline events, notifications and
 * supervision records to an outbox the workflow drains through activities.
 *
 * Split by job, as Temporal's server splits by verb: this module builds a work order and routes
 * each action to its rule; the rules live beside it in `lifecycle/` — `intake.ts` (预先告知,
 * 批办, 派单, 撤单), `unitActions.ts` (签收, 退单, 先行联系, 延期, 办结回复), `review.ts` (the
 * center's reviews, 回访, expert ruling), `escalation.ts` (the clock: 催办, 督办 and reminders),
 * `calendarUpdate.ts` (an official holiday schedule arriving), `readModel.ts` (the read-model
 * row), on the shared state and helpers of `core.ts`.
 *
 * Pure and workflow-safe: time is always passed in (workflow time), no I/O, no Node built-ins.
 * That also makes it testable without Temporal.
 *
 * Seeds: 000 鲁山县, 001 开封市, 002 city system, 003 南码头路街道, 004 泾川县 (see each rule).
 */
import type { CalendarData } from '../domain/calendar';
import { actionNames, readAction, type ActionName } from './actionInput';
import { applyCalendar, checkCalendar } from './lifecycle/calendarUpdate';
import { LifecycleCore, iso, open, refuse, type Outbox } from './lifecycle/core';
import { nextWakeAt, supervise, tick } from './lifecycle/escalation';
import { dispatch, instruction, preBrief, withdraw } from './lifecycle/intake';
import { snapshot } from './lifecycle/readModel';
import { callback, expertRuling, extensionReview, replyReview, returnReview } from './lifecycle/review';
import { contact, extensionRequest, reply, returnRequest, sign } from './lifecycle/unitActions';
import type { CalendarUpdate, DeadlineChange, WorkOrderInput, WorkOrderSnapshot, WorkOrderState } from './types';

export { TIMELINE_KEEP, refuse, type Outbox } from './lifecycle/core';
// The actions and the check of their arguments (zod-free: see actionInput.ts).
export { actionNames, type ActionName };

/**
 * Each action's rule: checks first (refuse → throws) and returns before changing anything
 * unless `commit`.
 */
const actionRules: Record<ActionName, (wo: LifecycleCore, args: never, now: number, commit: boolean) => void> = {
  preBrief,
  instruction,
  dispatch,
  withdraw,
  sign,
  returnRequest,
  contact,
  extensionRequest,
  reply,
  returnReview,
  extensionReview,
  replyReview,
  callback,
  expertRuling,
  supervise,
};

/**
 * One work order's state and rules. Build with {@link WorkOrderLifecycle.create} (new work
 * order) or {@link WorkOrderLifecycle.resume} (continue-as-new).
 */
export class WorkOrderLifecycle extends LifecycleCore {
  /** A new work order taken at `now`: records intake and runs classification (004). */
  static create(input: WorkOrderInput, now: number): WorkOrderLifecycle {
    const intake = input.intake;
    const profile = input.profile;
    const state: WorkOrderState = {
      workOrderId: input.workOrderId,
      stage: 'awaitingDispatch',
      classification: intake.classification,
      category: intake.category,
      urgency: intake.urgency,
      channel: intake.channel,
      // 举报 (001 三(一)5), or any work order whose caller asked for it (003 第十四条 公民要求保密).
      confidential: intake.category === 'report' || intake.confidential === true,
      intake,
      createdAt: iso(now),
      createdBy: input.createdBy,
      updatedAt: iso(now),
      profileId: profile.id,
      preBriefAttempts: [],
      preBriefDone: !profile.preBriefing.required,
      coUnitIds: [],
      units: [],
      dispatchCount: 0,
      clocks: [],
      returns: [],
      extensions: [],
      replies: [],
      callbacks: [],
      expertEvaluations: [],
      reHandleCount: 0,
      consecutiveReHandles: 0,
      escalations: [],
      timeline: [],
      timelineDropped: 0,
      seq: 0,
      run: 1,
    };
    const wo = new WorkOrderLifecycle(state, input);
    wo.event(now, 'created', input.createdBy, {
      classification: intake.classification,
      category: intake.category,
      urgency: intake.urgency,
      channel: intake.channel,
      profileId: profile.id,
    });
    if (intake.classification === 'immediate') {
      // 即办 (004): the center answered at once from the knowledge base.
      wo.event(now, 'answeredImmediately', input.createdBy, { answer: intake.immediateAnswer ?? '' });
      wo.finish(now, 'closed', 'answered immediately (即办)', input.createdBy);
      return wo;
    }
    if (profile.preBriefing.required) {
      // 003 第六条(一): the center phones the caller within 1 hour of receiving the order.
      state.stage = 'preBriefing';
      wo.addClock(now, 'preBrief', undefined, 'obligation', now, profile.preBriefing.window);
    }
    wo.advance(now, input.createdBy);
    return wo;
  }

  /** Resumes a work order carried over by continue-as-new. */
  static resume(input: WorkOrderInput & { carried: WorkOrderState }): WorkOrderLifecycle {
    const state = { ...input.carried, run: input.carried.run + 1 };
    return new WorkOrderLifecycle(state, input);
  }

  /** The calendar data deadlines are counted on now (the input's, or the last update's). */
  get calendarData(): CalendarData {
    return this.cal.data;
  }

  /** Takes what the workflow must persist and send, leaving the outbox empty. */
  drain(): Outbox {
    this.state.provisional = this.state.clocks.some((c) => open(c) && c.provisional === true);
    const out = this.outbox;
    this.outbox = { events: [], notifications: [], supervisionOpens: [], supervisionCloses: [] };
    return out;
  }

  // ---- Actions (the rules are in lifecycle/intake.ts, unitActions.ts, review.ts, escalation.ts) --

  /**
   * Checks an action without changing anything (the update validator). Throws an
   * `ApplicationFailure` typed with the broken rule.
   */
  check(action: ActionName, args: unknown, now: number): void {
    this.run(action, args, now, false);
  }

  /** Checks and applies an action at `now`. */
  apply(action: ActionName, args: unknown, now: number): void {
    this.run(action, args, now, true);
  }

  private run(action: ActionName, raw: unknown, now: number, commit: boolean): void {
    if (this.finished) refuse('WORK_ORDER_CLOSED', `work order ${this.state.workOrderId} is ${this.state.stage}`);
    const read = readAction(action, raw);
    if (!read.ok) refuse('INVALID_INPUT', read.problem);
    actionRules[action](this, read.args as never, now, commit);
    if (commit) this.state.updatedAt = iso(now);
  }

  // ---- The calendar (lifecycle/calendarUpdate.ts) ------------------------------------------

  /** Checks a calendar update without applying it (the update validator). */
  checkCalendar(u: CalendarUpdate): void {
    checkCalendar(this, u);
  }

  /** A year's official schedule arrived: provisional deadlines depending on it are counted again. */
  applyCalendar(u: CalendarUpdate, now: number): DeadlineChange[] {
    return applyCalendar(this, u, now);
  }

  // ---- The clock (lifecycle/escalation.ts) -------------------------------------------------

  /** The next instant something is due (urge point, deadline, reminder), if any. */
  nextWakeAt(): number | undefined {
    return nextWakeAt(this);
  }

  /** Fires everything due at or before `now`, in time order: urges, missed deadlines, reminders. */
  tick(now: number): void {
    tick(this, now);
  }

  // ---- Read model (lifecycle/readModel.ts) -------------------------------------------------

  /** The read-model row of the current state (db/migrations/0002_read_model.sql). */
  snapshot(): WorkOrderSnapshot {
    return snapshot(this);
  }
}
