/**
 * The center's reviews: of a return, an extension, a reply (审核), the callback (回访) and the expert's ruling (002).
 *
 * Part of the work-order lifecycle (workflows/lifecycle.ts): each function takes the work order's
 * state and rules ({@link LifecycleCore}). Workflow-safe: time is passed in, no I/O.
 */
import { addDuration } from '../../domain/sla';
import { defaultSatisfactionGrades, gradeCounts } from '../../domain/scoring/grades';
import type { Acted, ResultType, Satisfaction } from '../../domain/workorder';
import { LifecycleCore, iso, ms, open, centerRoles, centerOrSupervisor, refuse } from './core';
import { miss } from './escalation';

export function returnReview(
  wo: LifecycleCore,
  a: Acted<{ approved: boolean; nextMainUnitId?: string; nextCoUnitIds?: string[]; reason: string; withinDuty?: boolean }>,
  now: number,
  commit: boolean,
): void {
  wo.requireRole(a.actor, centerRoles);
  const r = wo.state.returns.find((x) => x.status === 'pending');
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
  const u = wo.activeUnit(r.unitId)!;
  const seq = wo.event(now, a.approved ? 'returnApproved' : 'returnRejected', a.actor, { reason: a.reason, nextMainUnitId: a.nextMainUnitId }, r.unitId);
  wo.notify(seq, now, 'returnReviewed', [{ audience: 'unit', unitId: r.unitId }], { approved: a.approved, reason: a.reason });
  if (!a.approved) {
    // 004: rejected → the same unit continues, its clocks keep running from the first dispatch.
    u.returnRejected = true;
    if (r.role === 'main') wo.state.stage = u.signedAt ? 'handling' : 'dispatched';
    if (wo.profile.escalation.superviseReturnWithinDuty) {
      // 003 第八条(九)3(5) / 004 第十二条(二): returning a ticket within the unit's duty → 督办.
      wo.escalate(now, { kind: wo.nextStep(), trigger: 'returnWithinDuty', reason: `return rejected: ${a.reason}`, unitId: u.unitId });
    }
    return;
  }
  u.status = 'returned';
  wo.cancelUnitClocks(u.unitId, now);
  if (r.role === 'co') {
    wo.state.coUnitIds = wo.state.coUnitIds.filter((id) => id !== u.unitId);
    return;
  }
  // Approved: re-dispatched and the clocks restart (004).
  r.nextMainUnitId = a.nextMainUnitId;
  wo.state.mainUnitId = undefined;
  if (a.nextMainUnitId) {
    wo.dispatchTo(now, a.actor, a.nextMainUnitId, a.nextCoUnitIds ?? wo.state.coUnitIds, undefined);
  } else {
    wo.state.stage = 'awaitingDispatch';
  }
}

export function extensionReview(wo: LifecycleCore, a: Acted<{ approved: boolean; reason: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, centerRoles);
  const x = wo.state.extensions.find((e) => e.status === 'pending');
  if (!x) refuse('WRONG_STAGE', 'no extension request is waiting for review');
  if (!commit) return;
  x.status = a.approved ? 'approved' : 'refused';
  x.decidedAt = iso(now);
  x.decidedBy = a.actor.userId;
  x.decisionReason = a.reason;
  const clock = wo.handlingClock();
  if (a.approved && clock) {
    // The citizen is told (004); the deadline moves by working days from the old deadline.
    const deadline = wo.cal.addWorkingDays(ms(clock.deadline), x.workingDays).getTime();
    clock.deadline = iso(deadline);
    wo.markProvisional(clock);
    clock.extended = true;
    clock.length += `; extended ${x.workingDays} workingDays`;
    clock.urgeAt = wo.urgePoints(clock.name, ms(clock.start), deadline, Math.max(now, ms(clock.start)));
    clock.urged = [];
    if (clock.status === 'missed' && !clock.doneAt && deadline > now) {
      clock.status = 'pending';
      clock.missedAt = undefined;
    }
    x.deadlineAfter = clock.deadline;
  }
  const seq = wo.event(now, a.approved ? 'extensionApproved' : 'extensionRefused', a.actor, { reason: a.reason, deadline: x.deadlineAfter }, x.unitId);
  wo.notify(seq, now, 'extensionReviewed', [{ audience: 'unit', unitId: x.unitId }], { approved: a.approved, deadline: x.deadlineAfter, reason: a.reason });
  if (a.approved && x.citizenNotice !== undefined) {
    // 004 第十一条(一)4 / 000 附件2 四.4: the citizen is told the new limit and why, by the unit.
    wo.event(now, 'citizenNotified', { userId: x.requestedBy, role: 'unit', unitId: x.unitId }, { about: 'extension', text: x.citizenNotice, deadline: x.deadlineAfter }, x.unitId);
  }
}

export function replyReview(wo: LifecycleCore, a: Acted<{ accepted: boolean; reason: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, centerRoles);
  wo.requireStage(['replied']);
  if (!commit) return;
  const reply = wo.state.replies.at(-1)!;
  reply.review = { accepted: a.accepted, reason: a.reason, at: iso(now), by: a.actor.userId };
  wo.done(wo.undone('replyReview'), now);
  const seq = wo.event(now, a.accepted ? 'replyAccepted' : 'replySentBack', a.actor, { reason: a.reason }, reply.unitId);
  if (a.accepted) {
    wo.state.stage = 'callback'; // 先回访、后结案 (003)
    wo.addClock(now, 'callback', undefined, 'obligation', now, wo.profile.callback.window, wo.state.replies.length);
    return;
  }
  // Non-compliant (001, 003): back to the unit; its handling clock is open again.
  wo.state.stage = 'handling';
  const clock = wo.handlingClock(true);
  if (clock) {
    clock.doneAt = undefined;
    clock.metAt = undefined;
    clock.lateWorkingMinutes = undefined;
    clock.status = 'pending';
    if (ms(clock.deadline) <= now) miss(wo, clock, now);
  }
  wo.notify(seq, now, 'replySentBack', [{ audience: 'unit', unitId: reply.unitId }], { reason: a.reason });
}

export function callback(
  wo: LifecycleCore,
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
): void {
  wo.requireRole(a.actor, centerRoles);
  wo.requireStage(['callback']);
  // The grades are the profile's (004 第十八条 adds 非常不满意); older profiles: the four of 003.
  const grades = wo.profile.satisfactionGrades ?? defaultSatisfactionGrades;
  if (!grades.some((g) => g.grade === a.satisfaction)) {
    refuse('INVALID_INPUT', `satisfaction: this hotline's grades are ${grades.map((g) => `${g.grade} (${g.label})`).join(', ')}`);
  }
  const unsatisfied = gradeCounts(a.satisfaction, grades) === 'unsatisfied';
  // 003 第五条(四): 未先联、未解决、不满意的工单退回重新处置.
  const notContactedFirst = !a.contactedFirst && (wo.profile.callback.reHandleWhenNotContactedFirst ?? false);
  if (a.requestExpertEvaluation && (!unsatisfied || !wo.profile.expertEvaluation.enabled)) {
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
  wo.state.callbacks.push({ ...fields, at: iso(now), by: actor.userId, outcome });
  const seq = wo.event(now, 'callback', actor, { ...fields, outcome });
  wo.done(wo.undone('callback'), now);
  if (outcome === 'notReached') {
    const round = wo.state.replies.at(-1)?.at ?? '';
    const tries = wo.state.callbacks.filter((c) => c.at >= round && !c.reached).length;
    const max = wo.profile.callback.attempts;
    // 003 第八条(七): attempts at different times; after the profile's count, close unrated.
    if (max > 0 && tries >= max) wo.finish(now, 'closed', `caller not reached at callback after ${tries} attempts`, actor);
    return;
  }
  if (outcome === 'closed') {
    wo.state.consecutiveReHandles = 0;
    wo.finish(now, 'closed', 'callback done (回访)', actor);
  } else if (outcome === 'expertEvaluation') {
    const e = wo.profile.expertEvaluation;
    const deadline = addDuration(wo.cal, wo.anchor(now), e.window).getTime();
    wo.state.expertEvaluations.push({
      assignedAt: iso(now),
      deadline: iso(deadline),
      reminderAt: iso(addDuration(wo.cal, wo.anchor(now), e.reminderAfter).getTime()),
      status: 'pending',
    });
    wo.addClock(now, 'expertEvaluation', undefined, 'window', now, e.window);
    wo.state.stage = 'expertEvaluation';
    wo.notify(seq, now, 'expertEvaluation', [{ audience: 'center' }], { deadline: iso(deadline) });
  } else {
    wo.reHandle(now, actor, unsatisfied ? 'callback unsatisfied' : !a.resolved ? 'callback: not resolved' : 'callback: the unit did not contact the caller first (003 第五条(四) 未先联)');
  }
}

export function expertRuling(
  wo: LifecycleCore,
  a: Acted<{ grade?: 'satisfied' | 'basicallySatisfied' | 'unsatisfied'; ruling?: 'upheld' | 'overturned'; reason: string }>,
  now: number,
  commit: boolean,
): void {
  // 002 三(一), 三(三): 专业评价员 are people of their own role, not center staff (rules 2; the
  // older runs took rulings through the center and supervisors).
  wo.requireRole(a.actor, wo.rules >= 2 ? ['evaluator', 'admin'] : centerOrSupervisor);
  if (a.grade === undefined && a.ruling === undefined) refuse('INVALID_INPUT', 'grade: 满意, 基本满意 or 不满意 is required (002 三(五)3)');
  if (a.grade !== undefined && !['satisfied', 'basicallySatisfied', 'unsatisfied'].includes(a.grade)) refuse('INVALID_INPUT', 'grade: satisfied, basicallySatisfied or unsatisfied');
  wo.requireStage(['expertEvaluation']);
  if (!commit) return;
  const e = wo.state.expertEvaluations.at(-1)!;
  Object.assign(e, { status: 'ruled', grade: a.grade, ruling: a.ruling, reason: a.reason, ruledAt: iso(now), ruledBy: a.actor.userId });
  if (a.grade === undefined) delete e.grade;
  if (a.ruling === undefined) delete e.ruling;
  const clock = wo.undone('expertEvaluation');
  wo.done(clock, now);
  wo.event(now, 'expertRuling', a.actor, { grade: a.grade, ruling: a.ruling, reason: a.reason });
  // 002 三(六): the evaluator's grade is final: 不满意 stands (re-handle), 满意/基本满意 close.
  const stands = a.grade !== undefined ? a.grade === 'unsatisfied' : a.ruling === 'upheld';
  if (!stands) wo.finish(now, 'closed', `expert evaluation: ${a.grade ?? 'overturned'} (002 三(六))`, a.actor);
  else wo.reHandle(now, a.actor, 'expert evaluation: 不满意 stands (002 三(六))');
}
