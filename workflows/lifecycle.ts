/**
 * The rules of one work order's life (RULES.md "Lifecycle"), as a deterministic state machine:
 * actions are checked ({@link WorkOrderLifecycle.check}, used by the update validators, read
 * only) and applied ({@link WorkOrderLifecycle.apply}); the clock is advanced with
 * {@link WorkOrderLifecycle.tick}. Every change appends timeline events, notifications and
 * supervision records to an outbox the workflow drains through activities.
 *
 * Pure and workflow-safe: time is always passed in (workflow time), no I/O, no Node built-ins.
 * That also makes it testable without Temporal.
 *
 * Seeds: 000 鲁山县, 001 开封市, 002 city system, 003 南码头路街道, 004 泾川县 (see each rule).
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkingCalendar, withOfficialYear, type CalendarData } from '../domain/calendar';
import type { SlaProfile } from '../domain/profile';
import { completionWindow, maxExtension, returnWindow, signWindow } from '../domain/profileRules';
import { addDuration, durationInWorkingMinutes, type SlaDuration } from '../domain/sla';
import { defaultSatisfactionGrades, gradeCounts } from '../domain/scoring/grades';
import { terminalStages } from '../domain/stages';
import type { Acted, Actor, RefusalType, Reply, ResultType, Satisfaction, Stage } from '../domain/workorder';
import { actionNames, readAction, type ActionName } from './actionInput';
import type {
  CalendarUpdate,
  Clock,
  ClockName,
  DeadlineChange,
  Escalation,
  IsoTime,
  NotificationKind,
  NotificationRequest,
  Recipient,
  SupervisionClose,
  SupervisionOpen,
  TimelineEntry,
  UnitAssignment,
  WorkOrderInput,
  WorkOrderSnapshot,
  WorkOrderState,
} from './types';
import { systemActor } from './types';

/** Timeline entries kept in the state (the read model keeps all). */
export const TIMELINE_KEEP = 300;

// The actions and the check of their arguments (zod-free: see actionInput.ts).
export { actionNames, type ActionName };

/** What the workflow must carry out after a change. */
export interface Outbox {
  events: TimelineEntry[];
  notifications: NotificationRequest[];
  supervisionOpens: SupervisionOpen[];
  supervisionCloses: SupervisionClose[];
}

/** Throws the typed refusal every rejected action fails with. */
export function refuse(type: RefusalType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

const iso = (ms: number): IsoTime => new Date(ms).toISOString();
/**
 * Windows count from the minute something happened: workflow time carries the milliseconds of
 * task processing, and 09:00:00.063 + 3 working hours would otherwise miss the 12:00 closing and
 * land at 14:00.
 */
const minuteOf = (ms: number): number => Math.floor(ms / 60_000) * 60_000;
/** Rules 2 (issue 12): the second is kept (09:59:59 + 1 hour = 10:59:59), only the milliseconds go. */
const secondOf = (ms: number): number => Math.floor(ms / 1000) * 1000;
const ms = (t: IsoTime): number => Date.parse(t);
const describe = (d: SlaDuration): string => `${d.amount} ${d.unit}`;
const open = (c: Clock) => c.status === 'pending';
const centerRoles: Actor['role'][] = ['center', 'admin'];
const centerOrSupervisor: Actor['role'][] = ['center', 'supervisor', 'admin'];

/**
 * One work order's state and rules. Build with {@link WorkOrderLifecycle.create} (new work
 * order) or {@link WorkOrderLifecycle.resume} (continue-as-new).
 */
export class WorkOrderLifecycle {
  readonly state: WorkOrderState;
  private cal: WorkingCalendar;
  private readonly profile: SlaProfile;
  /** {@link WorkOrderInput.rulesVersion}: 1 for work orders started before issue 12. */
  private readonly rules: number;
  private outbox: Outbox = { events: [], notifications: [], supervisionOpens: [], supervisionCloses: [] };

  private constructor(state: WorkOrderState, input: WorkOrderInput) {
    this.state = state;
    this.profile = input.profile;
    this.cal = new WorkingCalendar(input.calendar);
    this.rules = input.rulesVersion ?? 1;
  }

  /** Where a window starts for an instant: its minute (rules 1) or its second (rules 2). */
  private anchor(t: number): number {
    return this.rules >= 2 ? secondOf(t) : minuteOf(t);
  }

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

  /** Whether the work order has reached a terminal stage. */
  get finished(): boolean {
    return terminalStages.includes(this.state.stage);
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

  // ---- Actions ---------------------------------------------------------------------------

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
    const args = read.args as Acted<never>;
    const handler = (this as unknown as Record<string, (a: unknown, now: number, commit: boolean) => void>)[`do_${action}`];
    handler.call(this, args, now, commit);
    if (commit) this.state.updatedAt = iso(now);
  }

  // Each do_<action> checks first (refuse → throws) and returns before changing anything
  // unless `commit`.

  private do_preBrief(a: Acted<{ reached: boolean; note?: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, centerRoles);
    this.requireStage(['preBriefing']);
    const p = this.profile.preBriefing;
    const last = this.state.preBriefAttempts.at(-1);
    if (last && !last.reached && now < addDuration(this.cal, ms(last.at), p.minGap).getTime()) {
      refuse('PRE_BRIEF_ATTEMPT_TOO_SOON', `the next attempt may be made from ${this.shown(addDuration(this.cal, ms(last.at), p.minGap).getTime())} (003: at least ${describe(p.minGap)} apart)`);
    }
    if (!commit) return;
    this.state.preBriefAttempts.push({ at: iso(now), reached: a.reached, note: a.note, by: a.actor.userId });
    this.event(now, 'preBriefAttempt', a.actor, { reached: a.reached, note: a.note, attempt: this.state.preBriefAttempts.length });
    // The obligation is to phone within the window: the first attempt meets it.
    this.done(this.undone('preBrief'), now);
    const failed = this.state.preBriefAttempts.filter((x) => !x.reached).length;
    if (a.reached || failed >= p.attempts) {
      this.state.preBriefDone = true;
      this.event(now, 'preBriefDone', a.actor, {
        reached: a.reached,
        attempts: this.state.preBriefAttempts.map((x) => x.at),
      });
      this.advance(now, a.actor);
    }
  }

  private do_instruction(a: Acted<{ instruction: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, centerOrSupervisor);
    this.requireStage(['awaitingInstruction']);
    if (!commit) return;
    this.state.instruction = a.instruction;
    this.event(now, 'instructed', a.actor, { instruction: a.instruction });
    this.advance(now, a.actor);
  }

  private do_dispatch(a: Acted<{ mainUnitId: string; coUnitIds: string[]; instruction?: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, centerRoles);
    this.requireStage(['awaitingDispatch']);
    if (a.coUnitIds.includes(a.mainUnitId)) refuse('INVALID_INPUT', 'coUnitIds: must not contain the main unit');
    if (!commit) return;
    this.dispatchTo(now, a.actor, a.mainUnitId, a.coUnitIds, a.instruction);
  }

  private do_sign(a: Acted<{ note?: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, ['unit']);
    const u = this.requireAssigned(a.actor);
    this.requireStage(['dispatched', 'handling', 'returnRequested']);
    if (u.signedAt) refuse('WRONG_STAGE', `unit ${u.unitId} signed already at ${this.shown(u.signedAt)}`);
    if (!commit) return;
    u.signedAt = iso(now);
    this.event(now, 'signed', a.actor, { note: a.note, role: u.role }, u.unitId);
    this.done(this.unitClock('sign', u), now);
    const window = this.unitClock('return', u);
    const rw = returnWindow(this.profile, this.state.urgency);
    if (rw.from === 'signing' && window && open(window)) {
      // 003 第八条(三) / 004 第十一条(二): the return window runs from signing (urgent: 30 minutes).
      window.start = iso(this.anchor(now));
      window.deadline = iso(addDuration(this.cal, this.anchor(now), rw.within).getTime());
      window.originalDeadline = window.deadline;
    }
    if (u.role === 'main' && this.state.stage === 'dispatched') this.state.stage = 'handling';
  }

  private do_returnRequest(a: Acted<{ reason: string; suggestedUnitId?: string; approvedBy?: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, ['unit']);
    const u = this.requireAssigned(a.actor);
    this.requireFields(a, this.profile.requiredFields?.returnRequest ?? [], '003 第八条(三) 退单审核表');
    this.requireStage(['dispatched', 'handling', 'returnRequested']);
    if (this.state.returns.some((r) => r.status === 'pending' && r.unitId === u.unitId)) {
      refuse('WRONG_STAGE', `unit ${u.unitId}'s return is under review`);
    }
    if (u.returnRejected) refuse('RETURN_ALREADY_REJECTED', `unit ${u.unitId}'s return was rejected: it must handle the work order (003)`);
    if (u.role === 'main' && this.state.stage !== 'dispatched' && this.state.stage !== 'handling') refuse('WRONG_STAGE', `stage is ${this.state.stage}`);
    const window = this.unitClock('return', u);
    const late = !window || window.status === 'expired' || now > ms(window.deadline);
    // 000 附件2 四.2 scores a late return (−0.5) instead of refusing it: profile `return.late`.
    if (late && (!window || (this.profile.return.late ?? 'refused') !== 'allowedWithPenalty')) {
      refuse('RETURN_WINDOW_CLOSED', `the return window closed at ${window ? this.shown(window.deadline) : 'dispatch'}: the unit must handle it (003)`);
    }
    if (!commit) return;
    this.state.returns.push({
      unitId: u.unitId,
      role: u.role,
      reason: a.reason,
      requestedAt: iso(now),
      requestedBy: a.actor.userId,
      status: 'pending',
      ...(late ? { late: true } : {}),
      ...(a.suggestedUnitId !== undefined ? { suggestedUnitId: a.suggestedUnitId } : {}),
      ...(a.approvedBy !== undefined ? { approvedBy: a.approvedBy } : {}),
    });
    if (!late) {
      window.status = 'met';
      window.doneAt = iso(now);
    }
    if (u.role === 'main') this.state.stage = 'returnRequested';
    const seq = this.event(now, 'returnRequested', a.actor, { reason: a.reason, role: u.role }, u.unitId);
    this.notify(seq, now, 'returnRequested', [{ audience: 'center' }], { unitId: u.unitId, reason: a.reason });
  }

  private do_returnReview(
    a: Acted<{ approved: boolean; nextMainUnitId?: string; nextCoUnitIds?: string[]; reason: string; withinDuty?: boolean }>,
    now: number,
    commit: boolean,
  ) {
    this.requireRole(a.actor, centerRoles);
    const r = this.state.returns.find((x) => x.status === 'pending');
    if (!r) refuse('WRONG_STAGE', 'no return is waiting for review');
    if (a.approved && r.role === 'main' && a.nextMainUnitId === r.unitId) {
      refuse('INVALID_INPUT', 'nextMainUnitId: must differ from the unit that returned the work order');
    }
    if (a.nextCoUnitIds && a.nextMainUnitId && a.nextCoUnitIds.includes(a.nextMainUnitId)) {
      refuse('INVALID_INPUT', 'nextCoUnitIds: must not contain the main unit');
    }
    if (!commit) return;
    r.status = a.approved ? 'approved' : 'rejected';
    r.decidedAt = iso(now);
    r.decidedBy = a.actor.userId;
    r.decisionReason = a.reason;
    // 000 附件2 四.6 本属职能范围, 却作为回退件处理: a rejection is within duty unless the center says not.
    if (!a.approved) r.withinDuty = a.withinDuty ?? true;
    const u = this.activeUnit(r.unitId)!;
    const seq = this.event(now, a.approved ? 'returnApproved' : 'returnRejected', a.actor, { reason: a.reason, nextMainUnitId: a.nextMainUnitId }, r.unitId);
    this.notify(seq, now, 'returnReviewed', [{ audience: 'unit', unitId: r.unitId }], { approved: a.approved, reason: a.reason });
    if (!a.approved) {
      // 004: rejected → the same unit continues, its clocks keep running from the first dispatch.
      u.returnRejected = true;
      if (r.role === 'main') this.state.stage = u.signedAt ? 'handling' : 'dispatched';
      if (this.profile.escalation.superviseReturnWithinDuty) {
        // 003 第八条(九)3(5) / 004 第十二条(二): returning a ticket within the unit's duty → 督办.
        this.escalate(now, { kind: this.nextStep(), trigger: 'returnWithinDuty', reason: `return rejected: ${a.reason}`, unitId: u.unitId });
      }
      return;
    }
    u.status = 'returned';
    this.cancelUnitClocks(u.unitId, now);
    if (r.role === 'co') {
      this.state.coUnitIds = this.state.coUnitIds.filter((id) => id !== u.unitId);
      return;
    }
    // Approved: re-dispatched and the clocks restart (004).
    r.nextMainUnitId = a.nextMainUnitId;
    this.state.mainUnitId = undefined;
    if (a.nextMainUnitId) {
      this.dispatchTo(now, a.actor, a.nextMainUnitId, a.nextCoUnitIds ?? this.state.coUnitIds, undefined);
    } else {
      this.state.stage = 'awaitingDispatch';
    }
  }

  private do_contact(a: Acted<{ reached: boolean; method: string; person: string; note?: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, ['unit']);
    const u = this.requireMain(a.actor);
    this.requireStage(['dispatched', 'handling', 'returnRequested']);
    if (!u.signedAt) refuse('UNIT_NOT_SIGNED', `unit ${u.unitId} must sign before contacting the caller`);
    const gap = this.profile.firstContact.minGap;
    const last = u.contactAttempts.at(-1);
    if (last && !last.reached && now < addDuration(this.cal, ms(last.at), gap).getTime()) {
      refuse('CONTACT_ATTEMPT_TOO_SOON', `attempts to reach the caller must be at least ${describe(gap)} apart (003)`);
    }
    if (!commit) return;
    u.contactAttempts.push({ at: iso(now), reached: a.reached, method: a.method, person: a.person, note: a.note });
    this.event(now, 'contactAttempt', a.actor, { reached: a.reached, method: a.method, person: a.person, note: a.note }, u.unitId);
    this.done(this.unitClock('urgentReport', u), now);
    if (a.method === 'visit') this.done(this.unitClock('siteVisit', u), now); // 003 第八条(一) 到达现场
    const failed = u.contactAttempts.filter((x) => !x.reached).length;
    if (!u.contactedAt && (a.reached || failed >= this.profile.firstContact.attempts)) {
      u.contactedAt = iso(now);
      this.done(this.unitClock('firstContact', u), now);
    }
  }

  private do_extensionRequest(a: Acted<{ workingDays: number; reason: string; citizenNotice?: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, ['unit']);
    const u = this.requireMain(a.actor);
    this.requireStage(['handling']);
    const clock = this.handlingClock();
    if (!clock) refuse('WRONG_STAGE', 'no completion deadline is running');
    if (this.state.extensions.some((x) => x.status === 'pending')) refuse('EXTENSION_PENDING', 'an extension request is under review');
    const ext = this.profile.extension;
    const used = this.state.extensions.filter((x) => x.status === 'approved').length;
    if (used >= ext.maxCount) refuse('EXTENSION_ALREADY_USED', `at most ${ext.maxCount} extension(s) per work order (000 五.2)`);
    const max = maxExtension(this.profile, this.clockLength(clock));
    const maxMinutes = durationInWorkingMinutes(this.cal, max);
    // 004 第十一条(一)4 延长时限...不得超过原办理时限的1倍: the cap is on all extensions together.
    // Rules 1 (recorded histories) checked each extension alone and had no minimum: a replayed
    // request must pass as it did.
    const granted = this.rules >= 2 ? this.state.extensions.filter((x) => x.status === 'approved').reduce((sum, x) => sum + x.workingDays, 0) : 0;
    if ((granted + a.workingDays) * this.cal.workingMinutesPerDay > maxMinutes) {
      refuse(
        'EXTENSION_TOO_LONG',
        `at most ${describe(max)} in all${granted ? ` (${granted} workingDays granted already)` : ''} (${ext.maxLength.kind === 'range' ? '000 附件1 五.2' : '004 第十一条(一)4: at most doubling the original limit'})`,
      );
    }
    // 000 附件1 五.2 延期时限一般在3-5天: a minimum as well as a maximum.
    if (this.rules >= 2 && ext.maxLength.kind === 'range' && a.workingDays * this.cal.workingMinutesPerDay < durationInWorkingMinutes(this.cal, ext.maxLength.min)) {
      refuse('EXTENSION_TOO_SHORT', `at least ${describe(ext.maxLength.min)} (000 附件1 五.2 延期时限一般在3-5天)`);
    }
    if (clock.status !== 'pending' || now > ms(clock.deadline)) {
      refuse('EXTENSION_TOO_LATE', `an extension must be asked before the deadline ${this.shown(clock.deadline)}`);
    }
    if (ext.request.anchor === 'beforeDeadline' && addDuration(this.cal, now, ext.request.atLeast).getTime() > ms(clock.deadline)) {
      refuse('EXTENSION_TOO_LATE', `an extension must be asked at least ${describe(ext.request.atLeast)} before the deadline ${this.shown(clock.deadline)} (004 第十一条(一)4)`);
    }
    if (ext.request.anchor === 'afterReceipt' && now > addDuration(this.cal, ms(clock.start), ext.request.within).getTime()) {
      refuse('EXTENSION_TOO_LATE', `an extension must be asked within ${describe(ext.request.within)} of receipt (003 第八条(四))`);
    }
    if (!commit) return;
    this.state.extensions.push({
      unitId: u.unitId,
      workingDays: a.workingDays,
      reason: a.reason,
      requestedAt: iso(now),
      requestedBy: a.actor.userId,
      status: 'pending',
      deadlineBefore: clock.deadline,
      ...(a.citizenNotice !== undefined ? { citizenNotice: a.citizenNotice } : {}),
      ...(ext.notifyCitizen ? { notifyCitizen: true } : {}),
    });
    const seq = this.event(now, 'extensionRequested', a.actor, { workingDays: a.workingDays, reason: a.reason }, u.unitId);
    this.notify(seq, now, 'extensionRequested', [{ audience: 'center' }], { unitId: u.unitId, workingDays: a.workingDays });
  }

  private do_extensionReview(a: Acted<{ approved: boolean; reason: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, centerRoles);
    const x = this.state.extensions.find((e) => e.status === 'pending');
    if (!x) refuse('WRONG_STAGE', 'no extension request is waiting for review');
    if (!commit) return;
    x.status = a.approved ? 'approved' : 'refused';
    x.decidedAt = iso(now);
    x.decidedBy = a.actor.userId;
    x.decisionReason = a.reason;
    const clock = this.handlingClock();
    if (a.approved && clock) {
      // The citizen is told (004); the deadline moves by working days from the old deadline.
      const deadline = this.cal.addWorkingDays(ms(clock.deadline), x.workingDays).getTime();
      clock.deadline = iso(deadline);
      this.markProvisional(clock);
      clock.extended = true;
      clock.length += `; extended ${x.workingDays} workingDays`;
      clock.urgeAt = this.urgePoints(clock.name, ms(clock.start), deadline, Math.max(now, ms(clock.start)));
      clock.urged = [];
      if (clock.status === 'missed' && !clock.doneAt && deadline > now) {
        clock.status = 'pending';
        clock.missedAt = undefined;
      }
      x.deadlineAfter = clock.deadline;
    }
    const seq = this.event(now, a.approved ? 'extensionApproved' : 'extensionRefused', a.actor, { reason: a.reason, deadline: x.deadlineAfter }, x.unitId);
    this.notify(seq, now, 'extensionReviewed', [{ audience: 'unit', unitId: x.unitId }], { approved: a.approved, deadline: x.deadlineAfter, reason: a.reason });
    if (a.approved && x.citizenNotice !== undefined) {
      // 004 第十一条(一)4 / 000 附件2 四.4: the citizen is told the new limit and why, by the unit.
      this.event(now, 'citizenNotified', { userId: x.requestedBy, role: 'unit', unitId: x.unitId }, { about: 'extension', text: x.citizenNotice, deadline: x.deadlineAfter }, x.unitId);
    }
  }

  private do_reply(a: Acted<Reply>, now: number, commit: boolean) {
    this.requireRole(a.actor, ['unit']);
    const u = this.requireMain(a.actor);
    this.requireFields(a, this.profile.requiredFields?.reply ?? [], '003 第八条(八)1');
    if (a.factFinding === 'untrue' && a.untrueExplanation === undefined) {
      refuse('INVALID_INPUT', 'untrueExplanation: 不属实 needs its explanation (003 附件1.2 事实认定"不属实"工单情况说明表)');
    }
    this.requireStage(['handling']);
    if (!u.signedAt) refuse('UNIT_NOT_SIGNED', `unit ${u.unitId} must sign before replying`);
    if (!commit) return;
    const { actor, ...reply } = a;
    this.state.replies.push({ ...reply, unitId: u.unitId, at: iso(now), by: actor.userId, round: this.state.reHandleCount });
    this.done(this.handlingClock(), now);
    this.done(this.unitClock('urgentReport', u), now);
    if (!u.contactedAt) {
      // The reply names when the caller was first contacted (003).
      u.contactedAt = iso(Math.min(now, ms(a.firstContactAt)));
      this.done(this.unitClock('firstContact', u), ms(u.contactedAt));
    }
    this.state.stage = 'replied';
    this.addClock(now, 'replyReview', undefined, 'obligation', now, this.profile.replyReview.window, this.state.replies.length);
    const seq = this.event(now, 'replied', actor, { resultType: a.resultType, firstContactAt: a.firstContactAt, answeredAt: a.answeredAt, attachments: a.attachments.length }, u.unitId);
    this.notify(seq, now, 'replySubmitted', [{ audience: 'center' }], { unitId: u.unitId, resultType: a.resultType });
  }

  private do_replyReview(a: Acted<{ accepted: boolean; reason: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, centerRoles);
    this.requireStage(['replied']);
    if (!commit) return;
    const reply = this.state.replies.at(-1)!;
    reply.review = { accepted: a.accepted, reason: a.reason, at: iso(now), by: a.actor.userId };
    this.done(this.undone('replyReview'), now);
    const seq = this.event(now, a.accepted ? 'replyAccepted' : 'replySentBack', a.actor, { reason: a.reason }, reply.unitId);
    if (a.accepted) {
      this.state.stage = 'callback'; // 先回访、后结案 (003)
      this.addClock(now, 'callback', undefined, 'obligation', now, this.profile.callback.window, this.state.replies.length);
      return;
    }
    // Non-compliant (001, 003): back to the unit; its handling clock is open again.
    this.state.stage = 'handling';
    const clock = this.handlingClock(true);
    if (clock) {
      clock.doneAt = undefined;
      clock.metAt = undefined;
      clock.lateWorkingMinutes = undefined;
      clock.status = 'pending';
      if (ms(clock.deadline) <= now) this.miss(clock, now);
    }
    this.notify(seq, now, 'replySentBack', [{ audience: 'unit', unitId: reply.unitId }], { reason: a.reason });
  }

  private do_callback(
    a: Acted<{
      reached: boolean;
      contactedFirst: boolean;
      answered: boolean;
      resolved: boolean;
      satisfaction: Satisfaction;
      citizenResultType?: ResultType;
      exclusion?: string;
      requestExpertEvaluation: boolean;
      note?: string;
    }>,
    now: number,
    commit: boolean,
  ) {
    this.requireRole(a.actor, centerRoles);
    this.requireStage(['callback']);
    // The grades are the profile's (004 第十八条 adds 非常不满意); older profiles: the four of 003.
    const grades = this.profile.satisfactionGrades ?? defaultSatisfactionGrades;
    if (!grades.some((g) => g.grade === a.satisfaction)) {
      refuse('INVALID_INPUT', `satisfaction: this hotline's grades are ${grades.map((g) => `${g.grade} (${g.label})`).join(', ')}`);
    }
    const unsatisfied = gradeCounts(a.satisfaction, grades) === 'unsatisfied';
    // 003 第五条(四): 未先联、未解决、不满意的工单退回重新处置.
    const notContactedFirst = !a.contactedFirst && (this.profile.callback.reHandleWhenNotContactedFirst ?? false);
    if (a.requestExpertEvaluation && (!unsatisfied || !this.profile.expertEvaluation.enabled)) {
      refuse('INVALID_INPUT', 'requestExpertEvaluation: only for an unsatisfied callback under a profile with expert evaluation (002)');
    }
    if (!commit) return;
    const outcome: 'closed' | 'reHandle' | 'expertEvaluation' | 'notReached' = !a.reached
      ? 'notReached'
      : a.exclusion || (a.resolved && !unsatisfied && !notContactedFirst)
        ? 'closed'
        : unsatisfied && a.requestExpertEvaluation
          ? 'expertEvaluation'
          : 'reHandle';
    const { actor, ...fields } = a;
    this.state.callbacks.push({ ...fields, at: iso(now), by: actor.userId, outcome });
    const seq = this.event(now, 'callback', actor, { ...fields, outcome });
    this.done(this.undone('callback'), now);
    if (outcome === 'notReached') {
      const round = this.state.replies.at(-1)?.at ?? '';
      const tries = this.state.callbacks.filter((c) => c.at >= round && !c.reached).length;
      const max = this.profile.callback.attempts;
      // 003 第八条(七): attempts at different times; after the profile's count, close unrated.
      if (max > 0 && tries >= max) this.finish(now, 'closed', `caller not reached at callback after ${tries} attempts`, actor);
      return;
    }
    if (outcome === 'closed') {
      this.state.consecutiveReHandles = 0;
      this.finish(now, 'closed', 'callback done (回访)', actor);
    } else if (outcome === 'expertEvaluation') {
      const e = this.profile.expertEvaluation;
      const deadline = addDuration(this.cal, this.anchor(now), e.window).getTime();
      this.state.expertEvaluations.push({
        assignedAt: iso(now),
        deadline: iso(deadline),
        reminderAt: iso(addDuration(this.cal, this.anchor(now), e.reminderAfter).getTime()),
        status: 'pending',
      });
      this.addClock(now, 'expertEvaluation', undefined, 'window', now, e.window);
      this.state.stage = 'expertEvaluation';
      this.notify(seq, now, 'expertEvaluation', [{ audience: 'center' }], { deadline: iso(deadline) });
    } else {
      this.reHandle(now, actor, unsatisfied ? 'callback unsatisfied' : !a.resolved ? 'callback: not resolved' : 'callback: the unit did not contact the caller first (003 第五条(四) 未先联)');
    }
  }

  private do_expertRuling(
    a: Acted<{ grade?: 'satisfied' | 'basicallySatisfied' | 'unsatisfied'; ruling?: 'upheld' | 'overturned'; reason: string }>,
    now: number,
    commit: boolean,
  ) {
    // 002 三(一), 三(三): 专业评价员 are people of their own role, not center staff (rules 2; the
    // older runs took rulings through the center and supervisors).
    this.requireRole(a.actor, this.rules >= 2 ? ['evaluator', 'admin'] : centerOrSupervisor);
    if (a.grade === undefined && a.ruling === undefined) refuse('INVALID_INPUT', 'grade: 满意, 基本满意 or 不满意 is required (002 三(五)3)');
    if (a.grade !== undefined && !['satisfied', 'basicallySatisfied', 'unsatisfied'].includes(a.grade)) refuse('INVALID_INPUT', 'grade: satisfied, basicallySatisfied or unsatisfied');
    this.requireStage(['expertEvaluation']);
    if (!commit) return;
    const e = this.state.expertEvaluations.at(-1)!;
    Object.assign(e, { status: 'ruled', grade: a.grade, ruling: a.ruling, reason: a.reason, ruledAt: iso(now), ruledBy: a.actor.userId });
    if (a.grade === undefined) delete e.grade;
    if (a.ruling === undefined) delete e.ruling;
    const clock = this.undone('expertEvaluation');
    this.done(clock, now);
    this.event(now, 'expertRuling', a.actor, { grade: a.grade, ruling: a.ruling, reason: a.reason });
    // 002 三(六): the evaluator's grade is final: 不满意 stands (re-handle), 满意/基本满意 close.
    const stands = a.grade !== undefined ? a.grade === 'unsatisfied' : a.ruling === 'upheld';
    if (!stands) this.finish(now, 'closed', `expert evaluation: ${a.grade ?? 'overturned'} (002 三(六))`, a.actor);
    else this.reHandle(now, a.actor, 'expert evaluation: 不满意 stands (002 三(六))');
  }

  private do_withdraw(a: Acted<{ reason: string }>, now: number, commit: boolean) {
    this.requireRole(a.actor, centerRoles);
    if (!commit) return;
    this.event(now, 'withdrawRequested', a.actor, { reason: a.reason });
    this.finish(now, 'withdrawn', a.reason, a.actor); // 撤单 (004)
  }

  private do_supervise(
    a: Acted<{ reason: string; trigger: string; method?: string; level?: string; repeatCount?: number }>,
    now: number,
    commit: boolean,
  ) {
    this.requireRole(a.actor, centerOrSupervisor);
    const e = this.profile.escalation;
    if (a.trigger === 'repeatCaller' && a.repeatCount !== undefined && a.repeatCount < e.repeatCallsForSupervision) {
      refuse('INVALID_INPUT', `repeatCount: 督办 for repeated calls from ${e.repeatCallsForSupervision} (003 第八条(九)3(3) 5次以上)`);
    }
    if (a.trigger === 'repeatComplaints') {
      if (a.repeatCount === undefined || a.repeatCount < e.repeatComplaintsForAccountability) {
        refuse('INVALID_INPUT', `repeatCount: accountability for repeated complaints from ${e.repeatComplaintsForAccountability} (004 第十九条(一) 三次以上重复投诉)`);
      }
    }
    // 004 第十二条(二), 001 三(三): the center picks the level and method of a 督办 (书面, 电话, 现场,
    // 会议协调, 指定督办); the level must be a rung of the profile's ladder above 催办.
    if (a.level !== undefined && this.ladder.indexOf(a.level) < 1) {
      refuse('INVALID_INPUT', `level: one of ${this.ladder.slice(1).join(', ')}`);
    }
    if (!commit) return;
    this.escalate(now, {
      // 004 第十九条(一): repeated complaints → 追责, the top rung; otherwise the chosen level.
      kind: a.level ?? (a.trigger === 'repeatComplaints' ? this.ladder[this.ladder.length - 1] : undefined) ?? this.ladder[1] ?? 'supervise',
      trigger: a.trigger,
      reason: a.reason,
      unitId: this.state.mainUnitId,
      by: a.actor,
      method: a.method,
    });
  }

  // ---- The calendar ----------------------------------------------------------------------

  /** Checks a calendar update without applying it (the update validator). */
  checkCalendar(u: CalendarUpdate): void {
    if (this.finished) refuse('WORK_ORDER_CLOSED', `work order ${this.state.workOrderId} is ${this.state.stage}`);
    const dates = (x: unknown) => Array.isArray(x) && x.every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d));
    if (!u || !Number.isInteger(u.year) || !dates(u.holidays) || !dates(u.makeUpWorkdays) || !u.actor?.userId) {
      refuse('INVALID_INPUT', 'calendarUpdate: year, holidays, makeUpWorkdays (YYYY-MM-DD) and actor are required');
    }
  }

  /**
   * A year's official schedule arrived: every pending deadline that was provisional because of
   * that year and is still in the future is counted again from its start on the new calendar
   * (with its approved extensions); deadlines already passed, and those that never depended on
   * the year, stay as they were. Later deadlines use the new calendar too. The timeline records
   * who imported what and each old and new deadline; units whose deadline moved are told.
   */
  applyCalendar(u: CalendarUpdate, now: number): DeadlineChange[] {
    const before = this.cal;
    this.cal = new WorkingCalendar(withOfficialYear(before.data, u.year, u.holidays, u.makeUpWorkdays));
    const changes: DeadlineChange[] = [];
    let depended = 0;
    for (const c of this.state.clocks) {
      if (!open(c) || !c.provisional || ms(c.deadline) <= now) continue;
      if (!before.provisionalYearsBetween(ms(c.start), ms(c.deadline)).includes(u.year)) continue;
      depended++;
      const { original, deadline } = this.recount(c);
      const old = c.deadline;
      c.originalDeadline = iso(original);
      c.deadline = iso(deadline);
      this.markProvisional(c);
      const provisional = c.provisional === true;
      if (deadline === ms(old)) continue;
      if (c.kind === 'obligation') {
        c.urgeAt = [...c.urged, ...this.urgePoints(c.name, ms(c.start), deadline, now).filter((p) => !c.urged.includes(p))];
      }
      changes.push({ clockId: c.id, name: c.name, unitId: c.unitId, before: old, after: c.deadline, provisional });
    }
    // Nothing depended on the year: no trace (a repeated or unrelated update changes nothing).
    if (!depended) return changes;
    const seq = this.event(now, 'calendarUpdated', u.actor, { year: u.year, source: u.source, importId: u.importId, changes });
    for (const unitId of new Set(changes.map((c) => c.unitId).filter((x): x is string => !!x))) {
      const mine = changes.filter((c) => c.unitId === unitId);
      this.notify(seq, now, 'deadlineChanged', [{ audience: 'unit', unitId }], { year: u.year, changes: mine });
    }
    return changes;
  }

  /** A clock's deadline counted again on the current calendar: from its start, then its extensions. */
  private recount(c: Clock): { original: number; deadline: number } {
    const original = addDuration(this.cal, ms(c.start), this.clockLength(c)).getTime();
    let deadline = original;
    for (const m of c.length.matchAll(/extended (\d+) workingDays/g)) deadline = this.cal.addWorkingDays(deadline, Number(m[1])).getTime();
    return { original, deadline };
  }

  // ---- The clock -------------------------------------------------------------------------

  /** The next instant something is due (urge point, deadline, reminder), if any. */
  nextWakeAt(): number | undefined {
    let next: number | undefined;
    const consider = (t: number) => {
      if (next === undefined || t < next) next = t;
    };
    for (const c of this.state.clocks) {
      if (!open(c)) continue;
      consider(ms(c.deadline));
      for (const u of c.urgeAt) if (!c.urged.includes(u)) consider(ms(u));
    }
    for (const c of this.state.clocks) if (c.followUpAt && c.status === 'missed' && !c.doneAt) consider(ms(c.followUpAt));
    for (const e of this.state.expertEvaluations) if (e.status === 'pending' && !e.remindedAt) consider(ms(e.reminderAt));
    return next;
  }

  /** Fires everything due at or before `now`, in time order: urges, missed deadlines, reminders. */
  tick(now: number): void {
    if (this.finished) return;
    for (;;) {
      const next = this.nextWakeAt();
      if (next === undefined || next > now || this.finished) return;
      this.fire(next, now);
    }
  }

  private fire(due: number, now: number): void {
    for (const e of this.state.expertEvaluations) {
      if (e.status === 'pending' && !e.remindedAt && ms(e.reminderAt) === due) {
        e.remindedAt = iso(now);
        const seq = this.event(now, 'expertReminder', systemActor, { dueAt: e.reminderAt, deadline: e.deadline });
        this.notify(seq, now, 'expertReminder', [{ audience: 'center' }], { deadline: e.deadline });
        return;
      }
    }
    for (const c of this.state.clocks) {
      if (c.followUpAt && c.status === 'missed' && !c.doneAt && ms(c.followUpAt) === due) {
        c.followUpAt = undefined;
        if (c.unitId && this.activeUnit(c.unitId)) this.overdue(c, due, now);
        return;
      }
    }
    for (const c of this.state.clocks) {
      if (!open(c)) continue;
      const urge = c.urgeAt.find((u) => !c.urged.includes(u) && ms(u) === due);
      if (urge) {
        c.urged.push(urge);
        if (c.kind === 'obligation') this.urge(c, urge, now);
        return;
      }
      if (ms(c.deadline) === due) {
        if (c.kind === 'window') this.expire(c, now);
        else this.miss(c, now);
        return;
      }
    }
  }

  private urge(c: Clock, dueAt: IsoTime, now: number): void {
    // 催办 (003: 密切关注即将超期工单).
    this.escalate(now, {
      kind: this.urgeStep,
      trigger: 'urgePoint',
      reason: `${c.name} deadline ${this.shown(c.deadline)} approaching`,
      dueAt,
      clock: c,
      unitId: c.unitId,
    });
  }

  private miss(c: Clock, now: number): void {
    c.status = 'missed';
    c.missedAt = c.deadline;
    if (!c.unitId) {
      // The center's own deadline (pre-briefing, review, callback): supervisors are told; the
      // units' escalation ladder does not move.
      const seq = this.event(now, 'centerDeadlineMissed', systemActor, { clock: c.id, name: c.name, dueAt: c.deadline });
      this.notify(seq, now, 'escalation', [{ audience: 'supervisors' }], { clock: c.name, deadline: c.deadline, reason: `the center's ${c.name} deadline passed` });
      return;
    }
    if (this.rules >= 2) {
      this.overdue(c, ms(c.deadline), now);
      return;
    }
    const step = this.nextStep();
    // 000 五.3: overdue after an extension → 督办通知; 001 三(三): two urges without result → 督办.
    const urges = this.profile.escalation.urgesBeforeSupervision;
    const trigger =
      c.extended && this.profile.escalation.superviseOverdueAfterExtension
        ? 'overdueAfterExtension'
        : urges > 0 && c.urged.length >= urges
          ? 'urgedWithoutResult'
          : 'missedDeadline';
    this.escalate(now, { kind: step, trigger, reason: `${c.name} deadline ${this.shown(c.deadline)} missed`, dueAt: c.deadline, clock: c, unitId: c.unitId });
  }

  /**
   * Rules 2: a unit's obligation is past due at `due` (its deadline or a follow-up). 000 五.3 /
   * 附件1 五.3: overdue after an extension → 督办通知 at once. 001 三(三): short of the profile's
   * urges → 催办 again (and again after `overdueUrgeAfter`); 督办 once the urges went unanswered.
   * Other profiles (0 urges): 督办 at once.
   */
  private overdue(c: Clock, due: number, now: number): void {
    const e = this.profile.escalation;
    const urges = e.urgesBeforeSupervision;
    const afterExtension = c.extended && e.superviseOverdueAfterExtension;
    if (!afterExtension && urges > 0 && c.urged.length < urges) {
      c.urged.push(iso(due));
      this.escalate(now, {
        kind: this.urgeStep,
        trigger: 'overdueUrge',
        reason: `${c.name} deadline ${c.deadline} missed: 催办 ${c.urged.length} of ${urges} (001 三(三))`,
        dueAt: iso(due),
        clock: c,
        unitId: c.unitId,
      });
      c.followUpAt = iso(addDuration(this.cal, due, e.overdueUrgeAfter ?? { amount: 1, unit: 'workingDays' }).getTime());
      return;
    }
    const trigger = afterExtension ? 'overdueAfterExtension' : urges > 0 ? 'urgedWithoutResult' : 'missedDeadline';
    this.escalate(now, { kind: this.stepForMiss(c), trigger, reason: `${c.name} deadline ${c.deadline} missed`, dueAt: iso(due), clock: c, unitId: c.unitId });
  }

  private expire(c: Clock, now: number): void {
    c.status = 'expired';
    if (c.name === 'expertEvaluation') {
      // 002: neither ruled nor returned within 2 working days → withdrawn from the evaluator;
      // the citizen's 不满意 stands, so the unit re-handles.
      const e = this.state.expertEvaluations.at(-1)!;
      e.status = 'autoWithdrawn';
      const seq = this.event(now, 'expertWithdrawn', systemActor, { dueAt: c.deadline });
      this.notify(seq, now, 'expertWithdrawn', [{ audience: 'center' }], {});
      this.reHandle(now, systemActor, 'expert evaluation auto-withdrawn (002); the unsatisfied rating stands');
      return;
    }
    this.event(now, 'windowClosed', systemActor, { clock: c.id, name: c.name, dueAt: c.deadline }, c.unitId);
  }

  // ---- Helpers ---------------------------------------------------------------------------

  /** Moves a fresh or released work order on: pre-briefing → 批办 instruction → dispatch. */
  private advance(now: number, actor: Actor): void {
    const s = this.state;
    if (!s.preBriefDone) {
      s.stage = 'preBriefing';
      return;
    }
    if (s.classification === 'leadership' && s.instruction === undefined) {
      s.stage = 'awaitingInstruction';
      return;
    }
    s.stage = 'awaitingDispatch';
    if (s.dispatchCount === 0 && s.intake.mainUnitId) {
      this.dispatchTo(now, actor, s.intake.mainUnitId, s.intake.coUnitIds.filter((u) => u !== s.intake.mainUnitId), undefined);
    }
  }

  private dispatchTo(now: number, actor: Actor, mainUnitId: string, coUnitIds: string[], instruction: string | undefined): void {
    const s = this.state;
    s.dispatchCount += 1;
    const n = s.dispatchCount;
    s.firstDispatchedAt ??= iso(now);
    const co = [...new Set(coUnitIds)].filter((id) => id !== mainUnitId);
    // Units no longer on the work order lose their assignment and clocks; co-units that stay
    // keep theirs (they signed already, or are still within their windows).
    for (const u of s.units) {
      if (u.status !== 'active') continue;
      if (u.role === 'co' && co.includes(u.unitId)) continue;
      u.status = 'replaced';
      this.cancelUnitClocks(u.unitId, now);
    }
    s.mainUnitId = mainUnitId;
    s.coUnitIds = co;
    if (instruction) s.instruction = instruction;
    const p = this.profile;
    const urgentOffHours = s.urgency === 'urgent' && !this.cal.isWorkingTime(now);
    const rw = returnWindow(p, s.urgency);
    const fresh = [mainUnitId, ...co.filter((id) => !this.activeUnit(id))];
    for (const unitId of fresh) {
      const role = unitId === mainUnitId ? 'main' : 'co';
      const u: UnitAssignment = { unitId, role, dispatchNo: n, dispatchedAt: iso(now), contactAttempts: [], status: 'active', returnRejected: false };
      s.units.push(u);
      const sign = this.addClock(now, 'sign', unitId, 'obligation', now, signWindow(p, s.urgency), n);
      // 003 第七条(三): urgent outside office hours → receive at once, report back within 4 hours.
      if (urgentOffHours && role === 'main') this.addClock(now, 'urgentReport', unitId, 'obligation', now, p.urgentOffHours.reportWithin, n);
      // A window anchored at signing is provisional until the unit signs. Rules 1: the latest it
      // could run to (from the sign deadline); rules 2: from receipt, so an unsigned order gets
      // no extra return time (signing restarts it from the signature).
      const returnStart = rw.from === 'signing' && this.rules < 2 ? ms(sign.deadline) : now;
      this.addClock(now, 'return', unitId, 'window', returnStart, rw.within, n);
      if (role === 'main') {
        const fc = p.firstContact.window;
        this.addClock(now, 'firstContact', unitId, 'obligation', fc.from === 'signing' ? ms(sign.deadline) : now, fc.within, n);
        // 003 第八条(一): 工单如有实际现场, 接单1个工作日内到达现场 (rules 2: older runs had no such clock).
        const site = p.firstContact.siteVisit;
        if (this.rules >= 2 && site && s.intake.hasSite) this.addClock(now, 'siteVisit', unitId, 'obligation', now, site, n);
        // 004 第十一条(一)3: a statutory limit wins; 001: leadership-assigned ones have their own.
        const completion = completionWindow(p, s.category, s.urgency, {
          classification: s.classification,
          statutoryWorkingDays: s.intake.statutoryWorkingDays,
        });
        // A new dispatch restarts the clock (004); only a rejected return keeps the first start.
        this.addClock(now, 'completion', unitId, 'obligation', now, completion, n);
      }
    }
    s.stage = 'dispatched';
    const seq = this.event(now, n === 1 ? 'dispatched' : 'redispatched', actor, { mainUnitId, coUnitIds: co, instruction, dispatchNo: n }, mainUnitId);
    const recipients: Recipient[] = fresh.map((unitId) => ({ audience: 'unit', unitId }));
    this.notify(seq, now, 'newWorkOrder', recipients, {
      mainUnitId,
      coUnitIds: co,
      instruction: instruction ?? s.instruction,
      signDeadline: this.unitClock('sign', this.activeUnit(mainUnitId)!)?.deadline,
      completionDeadline: this.handlingClock()?.deadline,
    });
  }

  private reHandle(now: number, actor: Actor, reason: string): void {
    const s = this.state;
    s.reHandleCount += 1;
    s.consecutiveReHandles += 1;
    s.stage = 'handling';
    const main = s.mainUnitId!;
    const clock = this.addClock(now, 'reHandle', main, 'obligation', now, this.profile.reHandling.window, s.reHandleCount);
    const seq = this.event(now, 'reHandle', actor, { reason, round: s.reHandleCount, deadline: clock.deadline }, main);
    this.notify(seq, now, 'reHandle', [{ audience: 'unit', unitId: main }], { reason, deadline: clock.deadline, round: s.reHandleCount });
    const e = this.profile.escalation;
    const unsatisfiedCallbacks = s.callbacks.filter((c) => c.reached && c.satisfaction === 'unsatisfied').length;
    if (e.rehandlesForAccountability > 0 && s.consecutiveReHandles >= e.rehandlesForAccountability) {
      // 004 第十九条(一): re-handled twice in a row → accountability (escalated).
      this.escalate(now, { kind: this.nextStep(), trigger: 'repeatedReHandle', reason: `re-handled ${s.consecutiveReHandles} times in a row`, unitId: main });
    } else if (e.superviseSecondCallbackUnsatisfied && unsatisfiedCallbacks === 2) {
      // 003 二(二): 二次回访不满意 → 督办.
      this.escalate(now, { kind: this.nextStep(), trigger: 'secondCallbackUnsatisfied', reason: 'second callback unsatisfied', unitId: main });
    }
  }

  private escalate(
    now: number,
    e: { kind: string; trigger: string; reason: string; dueAt?: IsoTime; clock?: Clock; unitId?: string; by?: Actor; method?: string },
  ): void {
    const s = this.state;
    const isUrge = e.kind === this.urgeStep;
    const actor = e.by ?? systemActor;
    const seq = this.event(now, isUrge ? 'urged' : 'escalated', actor, { kind: e.kind, trigger: e.trigger, reason: e.reason, dueAt: e.dueAt, clock: e.clock?.id }, e.unitId);
    const record: Escalation = { seq, kind: e.kind, trigger: e.trigger, reason: e.reason, at: iso(now), dueAt: e.dueAt, clockId: e.clock?.id, unitId: e.unitId, by: e.by?.userId };
    if (e.method !== undefined) record.method = e.method;
    s.escalations.push(record);
    const ladder = this.ladder;
    if (ladder.indexOf(e.kind) > (s.escalationLevel ? ladder.indexOf(s.escalationLevel) : -1)) s.escalationLevel = e.kind;
    const units = e.unitId ? [e.unitId] : [s.mainUnitId, ...s.coUnitIds].filter((x): x is string => !!x);
    const recipients: Recipient[] = units.map((unitId) => ({ audience: 'unit', unitId }));
    if (!e.unitId && !units.length) recipients.push({ audience: 'center' });
    const payload = { kind: e.kind, trigger: e.trigger, reason: e.reason, clock: e.clock?.name, deadline: e.clock?.deadline };
    if (isUrge) {
      this.notify(seq, now, 'urge', recipients, payload);
      return;
    }
    recipients.push({ audience: 'supervisors' });
    this.notify(seq, now, e.by ? 'supervision' : 'escalation', recipients, payload);
    this.outbox.supervisionOpens.push({
      id: `${s.workOrderId}:${seq}`,
      workOrderId: s.workOrderId,
      unitId: e.unitId,
      level: e.kind,
      trigger: e.trigger,
      clock: e.clock?.name,
      reason: e.reason,
      openedAt: iso(now),
      openedBy: e.by?.userId,
    });
  }

  private finish(now: number, stage: 'closed' | 'withdrawn', reason: string, actor: Actor): void {
    const s = this.state;
    for (const c of s.clocks) if (open(c)) c.status = 'cancelled';
    for (const e of s.expertEvaluations) if (e.status === 'pending') e.status = 'autoWithdrawn';
    s.stage = stage;
    s.closedAt = iso(now);
    s.closeReason = reason;
    s.updatedAt = iso(now);
    const seq = this.event(now, stage, actor, { reason });
    const units = s.units.filter((u) => u.status === 'active').map((u) => u.unitId);
    if (units.length) this.notify(seq, now, stage, units.map((unitId) => ({ audience: 'unit', unitId })), { reason });
    for (const e of s.escalations) if (e.kind !== this.urgeStep) e.closedAt ??= iso(now);
    if (s.escalations.some((e) => e.kind !== this.urgeStep)) {
      this.outbox.supervisionCloses.push({ workOrderId: s.workOrderId, closedAt: iso(now), reason: `work order ${stage}` });
    }
  }

  private addClock(now: number, name: ClockName, unitId: string | undefined, kind: Clock['kind'], from: number, length: SlaDuration, n = 1): Clock {
    const start = this.anchor(from);
    const deadline = addDuration(this.cal, start, length).getTime();
    const clock: Clock = {
      id: `${name}:${unitId ?? 'center'}:${n}`,
      name,
      unitId,
      kind,
      start: iso(start),
      deadline: iso(deadline),
      originalDeadline: iso(deadline),
      urgeAt: kind === 'obligation' ? this.urgePoints(name, start, deadline, now) : [],
      urged: [],
      status: 'pending',
      extended: false,
      length: describe(length),
    };
    this.markProvisional(clock);
    this.state.clocks.push(clock);
    return clock;
  }

  private urgePoints(name: ClockName, start: number, deadline: number, notBefore: number): IsoTime[] {
    const u = this.profile.urgePoints;
    const before = name === 'sign' ? u.sign : name === 'firstContact' || name === 'siteVisit' ? u.firstContact : name === 'completion' || name === 'reHandle' ? u.completion : [];
    const points = before
      .map((d) => addDuration(this.cal, deadline, { amount: -d.amount, unit: d.unit }).getTime())
      .filter((t) => t > Math.max(start, notBefore) && t < deadline);
    return [...new Set(points)].sort((a, b) => a - b).map(iso);
  }

  /** Marks a clock provisional when its span crosses a year with no official schedule (else clears it if set). */
  private markProvisional(c: Clock): void {
    const years = this.cal.provisionalYearsBetween(ms(c.start), ms(c.deadline));
    if (years.length) Object.assign(c, { provisional: true, provisionalYears: years });
    else if (c.provisional !== undefined) Object.assign(c, { provisional: false, provisionalYears: undefined });
  }

  /** Marks an obligation done at `at` (met if in time, else late on a missed clock). */
  private done(c: Clock | undefined, at: number): void {
    if (!c || c.doneAt || c.status === 'cancelled' || c.status === 'expired') return;
    c.doneAt = iso(at);
    if (c.status === 'pending') c.status = at <= ms(c.deadline) ? 'met' : 'missed';
    if (c.status === 'met') c.metAt = c.doneAt;
    if (c.status === 'missed') c.lateWorkingMinutes = Math.round(this.cal.workingMinutesBetween(ms(c.deadline), at));
  }

  private cancelUnitClocks(unitId: string, _now: number): void {
    for (const c of this.state.clocks) if (c.unitId === unitId && open(c)) c.status = 'cancelled';
  }

  /** The latest center clock of `name` not done yet (pending, or missed and still to do). */
  private undone(name: ClockName): Clock | undefined {
    return this.state.clocks.filter((c) => c.name === name && !c.doneAt && (c.status === 'pending' || c.status === 'missed')).at(-1);
  }

  /** The clock of `name` for an assignment (its dispatch), if any. */
  private unitClock(name: ClockName, u: UnitAssignment): Clock | undefined {
    return this.state.clocks.find((c) => c.name === name && c.unitId === u.unitId && c.id.endsWith(`:${u.dispatchNo}`) && c.status !== 'cancelled');
  }

  /** The main unit's current handling clock: the latest re-handle clock, else completion. */
  private handlingClock(includeDone = false): Clock | undefined {
    const main = this.state.mainUnitId;
    if (!main) return undefined;
    const candidates = this.state.clocks.filter(
      (c) => c.unitId === main && (c.name === 'completion' || c.name === 'reHandle') && c.status !== 'cancelled' && (includeDone || !c.doneAt),
    );
    return candidates.at(-1);
  }

  /** The window a clock was started with (its `length` before any extension). */
  private clockLength(clock: Clock): SlaDuration {
    const [amount, unit] = clock.length.split(/[ ;]/);
    return { amount: Number(amount), unit: unit as SlaDuration['unit'] };
  }

  /** The first rung of the ladder: 催办, which comes before a deadline. */
  private get urgeStep(): string {
    return this.ladder[0] ?? 'urge';
  }

  private get ladder(): string[] {
    return this.profile.escalation.ladder;
  }

  /** The rung a new escalation reaches: one above the highest reached, at least 督办 (the second). */
  private nextStep(): string {
    const ladder = this.ladder;
    const reached = this.state.escalationLevel ? ladder.indexOf(this.state.escalationLevel) : -1;
    return ladder[Math.min(ladder.length - 1, Math.max(1, reached + 1))] ?? 'supervise';
  }

  /**
   * Rules 2 (004 第十二条(二), 001 三(三)): a missed deadline opens 督办 at the profile's first level
   * after 催办; the next level only for a failure after the 督办 was opened: a deadline that passes
   * in the same instant as the one that opened it does not climb a second rung.
   */
  private stepForMiss(c: Clock): string {
    const ladder = this.ladder;
    const first = ladder[1] ?? ladder[0] ?? 'supervise';
    const supervisions = this.state.escalations.filter((e) => e.kind !== this.urgeStep);
    if (!supervisions.length) return first;
    const level = this.state.escalationLevel && ladder.includes(this.state.escalationLevel) ? this.state.escalationLevel : first;
    const openedAt = Math.max(...supervisions.map((e) => ms(e.dueAt ?? e.at)));
    if (ms(c.deadline) <= openedAt) return level;
    return ladder[Math.min(ladder.length - 1, Math.max(1, ladder.indexOf(level) + 1))] ?? level;
  }

  private activeUnit(unitId: string): UnitAssignment | undefined {
    return this.state.units.find((u) => u.unitId === unitId && u.status === 'active');
  }

  private requireRole(actor: Actor, roles: Actor['role'][]): void {
    if (!roles.includes(actor.role)) refuse('ROLE_NOT_ALLOWED', `role ${actor.role} may not do this (allowed: ${roles.join(', ')})`);
  }

  /** Refuses an action missing a field the profile requires (INVALID_INPUT naming it). */
  private requireFields(args: object, fields: readonly string[], clause: string): void {
    const missing = fields.filter((f) => (args as Record<string, unknown>)[f] === undefined);
    if (missing.length) refuse('INVALID_INPUT', `${missing[0]}: required by this hotline (${clause}); missing: ${missing.join(', ')}`);
  }

  private requireStage(stages: Stage[]): void {
    if (!stages.includes(this.state.stage)) refuse('WRONG_STAGE', `stage is ${this.state.stage}; this needs ${stages.join(' or ')}`);
  }

  private requireAssigned(actor: Actor): UnitAssignment {
    const u = actor.unitId ? this.activeUnit(actor.unitId) : undefined;
    if (!u) refuse('NOT_ASSIGNED_UNIT', `unit ${actor.unitId ?? '(none)'} is not assigned to work order ${this.state.workOrderId}`);
    return u;
  }

  private requireMain(actor: Actor): UnitAssignment {
    const u = this.requireAssigned(actor);
    if (u.role !== 'main') refuse('NOT_MAIN_UNIT', `unit ${u.unitId} is a co-unit; only the main unit ${this.state.mainUnitId} may do this`);
    return u;
  }

  private event(now: number, type: string, actor: Actor, detail: Record<string, unknown>, unitId?: string): number {
    const s = this.state;
    s.seq += 1;
    const clean = Object.fromEntries(Object.entries(detail).filter(([, v]) => v !== undefined));
    const entry: TimelineEntry = { seq: s.seq, at: iso(now), type, actor, unitId, detail: clean };
    if (!unitId) delete entry.unitId;
    s.timeline.push(entry);
    if (s.timeline.length > TIMELINE_KEEP) {
      const drop = s.timeline.length - TIMELINE_KEEP;
      s.timeline.splice(0, drop);
      s.timelineDropped += drop;
    }
    this.outbox.events.push(entry);
    return s.seq;
  }

  private notify(seq: number, now: number, kind: NotificationKind, recipients: Recipient[], payload: Record<string, unknown>): void {
    if (!recipients.length) return;
    const s = this.state;
    this.outbox.notifications.push({
      key: `${s.workOrderId}:${seq}:${kind}`,
      workOrderId: s.workOrderId,
      kind,
      recipients,
      at: iso(now),
      // Never the caller's name or phone: units and supervisors read these.
      payload: { workOrderId: s.workOrderId, stage: s.stage, category: s.category, urgency: s.urgency, summary: s.intake.summary, ...payload, ...this.deadlineTexts(payload) },
    });
  }

  /** An instant as people read it: local time with its offset, `2027-01-07 10:00 (+08:00)`, 暂定 in a provisional year. */
  private shown(t: IsoTime | number): string {
    const at = typeof t === 'number' ? t : Date.parse(t);
    const offset = this.cal.data.utcOffsetMinutes;
    const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    return `${this.cal.localDate(at)} ${this.cal.localTime(at)} (${zone})${this.cal.isCovered(at) ? '' : ' 暂定'}`;
  }

  /**
   * For people: each deadline of a notification as local time, `2027-01-07 10:00 (+08:00)`, with
   * 暂定 when its year has no official schedule yet (`deadlineText`, `signDeadlineText`, ...).
   */
  private deadlineTexts(payload: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of ['deadline', 'signDeadline', 'completionDeadline']) {
      const value = payload[key];
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) out[`${key}Text`] = this.shown(value);
    }
    return out;
  }

  // ---- Read model ------------------------------------------------------------------------

  /** The read-model row of the current state (db/migrations/0002_read_model.sql). */
  snapshot(): WorkOrderSnapshot {
    const s = this.state;
    const obligations = s.clocks.filter((c) => c.kind === 'obligation');
    const pending = obligations.filter(open).map((c) => ms(c.deadline));
    const main = s.mainUnitId ? this.activeUnit(s.mainUnitId) : undefined;
    const sign = main ? this.unitClock('sign', main) : undefined;
    const contact = main ? this.unitClock('firstContact', main) : undefined;
    const completion = main ? s.clocks.filter((c) => c.name === 'completion' && c.unitId === main.unitId && c.status !== 'cancelled').at(-1) : undefined;
    const handling = this.handlingClock(true);
    const onTime = (c: Clock | undefined) => (c?.status === 'met' ? true : c?.status === 'missed' ? false : undefined);
    const lastReply = s.replies.at(-1);
    const lastCallback = [...s.callbacks].reverse().find((c) => c.reached);
    return {
      state: s,
      nextDeadline: pending.length ? iso(Math.min(...pending)) : undefined,
      signDeadline: sign?.deadline,
      completionDeadline: handling?.deadline ?? completion?.deadline,
      // A closed work order is no longer overdue, whatever it missed on the way.
      overdue: !this.finished && obligations.some((c) => c.status === 'missed' && !c.doneAt),
      signedOnTime: onTime(sign),
      firstContactOnTime: onTime(contact),
      completedOnTime: onTime(completion),
      extended: s.extensions.some((x) => x.status === 'approved'),
      resultType: lastReply?.resultType,
      satisfaction: lastCallback?.satisfaction,
      resolved: lastCallback?.resolved,
      satisfactionExclusion: lastCallback?.exclusion,
    };
  }
}
