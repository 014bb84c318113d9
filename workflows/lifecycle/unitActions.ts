/**
 * A handling unit's actions: sign (签收), return (退单), first contact (先行联系), extension request (延期), reply (办结回复).
 *
 * Part of the work-order lifecycle (workflows/lifecycle.ts): each function takes the work order's
 * state and rules ({@link LifecycleCore}). Workflow-safe: time is passed in, no I/O.
 */
import { maxExtension, returnWindow } from '../../domain/profileRules';
import { addDuration, durationInWorkingMinutes } from '../../domain/sla';
import type { Acted, Reply } from '../../domain/workorder';
import { LifecycleCore, iso, ms, describe, open, refuse } from './core';

export function sign(wo: LifecycleCore, a: Acted<{ note?: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, ['unit']);
  const u = wo.requireAssigned(a.actor);
  wo.requireStage(['dispatched', 'handling', 'returnRequested']);
  if (u.signedAt) refuse('WRONG_STAGE', `unit ${u.unitId} signed already at ${wo.shown(u.signedAt)}`);
  if (!commit) return;
  u.signedAt = iso(now);
  wo.event(now, 'signed', a.actor, { note: a.note, role: u.role }, u.unitId);
  wo.done(wo.unitClock('sign', u), now);
  const window = wo.unitClock('return', u);
  const rw = returnWindow(wo.profile, wo.state.urgency);
  if (rw.from === 'signing' && window && open(window)) {
    // 003 第八条(三) / 004 第十一条(二): the return window runs from signing (urgent: 30 minutes).
    window.start = iso(wo.anchor(now));
    window.deadline = iso(addDuration(wo.cal, wo.anchor(now), rw.within).getTime());
    window.originalDeadline = window.deadline;
  }
  if (u.role === 'main' && wo.state.stage === 'dispatched') wo.state.stage = 'handling';
}

export function returnRequest(wo: LifecycleCore, a: Acted<{ reason: string; suggestedUnitId?: string; approvedBy?: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, ['unit']);
  const u = wo.requireAssigned(a.actor);
  wo.requireFields(a, wo.profile.requiredFields?.returnRequest ?? [], '003 第八条(三) 退单审核表');
  wo.requireStage(['dispatched', 'handling', 'returnRequested']);
  if (wo.state.returns.some((r) => r.status === 'pending' && r.unitId === u.unitId)) {
    refuse('WRONG_STAGE', `unit ${u.unitId}'s return is under review`);
  }
  if (u.returnRejected) refuse('RETURN_ALREADY_REJECTED', `unit ${u.unitId}'s return was rejected: it must handle the work order (003)`);
  if (u.role === 'main' && wo.state.stage !== 'dispatched' && wo.state.stage !== 'handling') refuse('WRONG_STAGE', `stage is ${wo.state.stage}`);
  const window = wo.unitClock('return', u);
  const late = !window || window.status === 'expired' || now > ms(window.deadline);
  // 000 附件2 四.2 scores a late return (−0.5) instead of refusing it: profile `return.late`.
  if (late && (!window || (wo.profile.return.late ?? 'refused') !== 'allowedWithPenalty')) {
    refuse('RETURN_WINDOW_CLOSED', `the return window closed at ${window ? wo.shown(window.deadline) : 'dispatch'}: the unit must handle it (003)`);
  }
  if (!commit) return;
  wo.state.returns.push({
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
  if (u.role === 'main') wo.state.stage = 'returnRequested';
  const seq = wo.event(now, 'returnRequested', a.actor, { reason: a.reason, role: u.role }, u.unitId);
  wo.notify(seq, now, 'returnRequested', [{ audience: 'center' }], { unitId: u.unitId, reason: a.reason });
}

export function contact(wo: LifecycleCore, a: Acted<{ reached: boolean; method: string; person: string; note?: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, ['unit']);
  const u = wo.requireMain(a.actor);
  wo.requireStage(['dispatched', 'handling', 'returnRequested']);
  if (!u.signedAt) refuse('UNIT_NOT_SIGNED', `unit ${u.unitId} must sign before contacting the caller`);
  const gap = wo.profile.firstContact.minGap;
  const last = u.contactAttempts.at(-1);
  if (last && !last.reached && now < addDuration(wo.cal, ms(last.at), gap).getTime()) {
    refuse('CONTACT_ATTEMPT_TOO_SOON', `attempts to reach the caller must be at least ${describe(gap)} apart (003)`);
  }
  if (!commit) return;
  u.contactAttempts.push({ at: iso(now), reached: a.reached, method: a.method, person: a.person, note: a.note });
  wo.event(now, 'contactAttempt', a.actor, { reached: a.reached, method: a.method, person: a.person, note: a.note }, u.unitId);
  wo.done(wo.unitClock('urgentReport', u), now);
  if (a.method === 'visit') wo.done(wo.unitClock('siteVisit', u), now); // 003 第八条(一) 到达现场
  const failed = u.contactAttempts.filter((x) => !x.reached).length;
  if (!u.contactedAt && (a.reached || failed >= wo.profile.firstContact.attempts)) {
    u.contactedAt = iso(now);
    wo.done(wo.unitClock('firstContact', u), now);
  }
}

export function extensionRequest(wo: LifecycleCore, a: Acted<{ workingDays: number; reason: string; citizenNotice?: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, ['unit']);
  const u = wo.requireMain(a.actor);
  wo.requireStage(['handling']);
  const clock = wo.handlingClock();
  if (!clock) refuse('WRONG_STAGE', 'no completion deadline is running');
  if (wo.state.extensions.some((x) => x.status === 'pending')) refuse('EXTENSION_PENDING', 'an extension request is under review');
  const ext = wo.profile.extension;
  const used = wo.state.extensions.filter((x) => x.status === 'approved').length;
  if (used >= ext.maxCount) refuse('EXTENSION_ALREADY_USED', `at most ${ext.maxCount} extension(s) per work order (000 五.2)`);
  const max = maxExtension(wo.profile, wo.clockLength(clock));
  const maxMinutes = durationInWorkingMinutes(wo.cal, max);
  // 004 第十一条(一)4 延长时限...不得超过原办理时限的1倍: the cap is on all extensions together.
  // Rules 1 (recorded histories) checked each extension alone and had no minimum: a replayed
  // request must pass as it did.
  const granted = wo.rules >= 2 ? wo.state.extensions.filter((x) => x.status === 'approved').reduce((sum, x) => sum + x.workingDays, 0) : 0;
  if ((granted + a.workingDays) * wo.cal.workingMinutesPerDay > maxMinutes) {
    refuse(
      'EXTENSION_TOO_LONG',
      `at most ${describe(max)} in all${granted ? ` (${granted} workingDays granted already)` : ''} (${ext.maxLength.kind === 'range' ? '000 附件1 五.2' : '004 第十一条(一)4: at most doubling the original limit'})`,
    );
  }
  // 000 附件1 五.2 延期时限一般在3-5天: a minimum as well as a maximum.
  if (wo.rules >= 2 && ext.maxLength.kind === 'range' && a.workingDays * wo.cal.workingMinutesPerDay < durationInWorkingMinutes(wo.cal, ext.maxLength.min)) {
    refuse('EXTENSION_TOO_SHORT', `at least ${describe(ext.maxLength.min)} (000 附件1 五.2 延期时限一般在3-5天)`);
  }
  if (clock.status !== 'pending' || now > ms(clock.deadline)) {
    refuse('EXTENSION_TOO_LATE', `an extension must be asked before the deadline ${wo.shown(clock.deadline)}`);
  }
  if (ext.request.anchor === 'beforeDeadline' && addDuration(wo.cal, now, ext.request.atLeast).getTime() > ms(clock.deadline)) {
    refuse('EXTENSION_TOO_LATE', `an extension must be asked at least ${describe(ext.request.atLeast)} before the deadline ${wo.shown(clock.deadline)} (004 第十一条(一)4)`);
  }
  if (ext.request.anchor === 'afterReceipt' && now > addDuration(wo.cal, ms(clock.start), ext.request.within).getTime()) {
    refuse('EXTENSION_TOO_LATE', `an extension must be asked within ${describe(ext.request.within)} of receipt (003 第八条(四))`);
  }
  if (!commit) return;
  wo.state.extensions.push({
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
  const seq = wo.event(now, 'extensionRequested', a.actor, { workingDays: a.workingDays, reason: a.reason }, u.unitId);
  wo.notify(seq, now, 'extensionRequested', [{ audience: 'center' }], { unitId: u.unitId, workingDays: a.workingDays });
}

export function reply(wo: LifecycleCore, a: Acted<Reply>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, ['unit']);
  const u = wo.requireMain(a.actor);
  wo.requireFields(a, wo.profile.requiredFields?.reply ?? [], '003 第八条(八)1');
  if (a.factFinding === 'untrue' && a.untrueExplanation === undefined) {
    refuse('INVALID_INPUT', 'untrueExplanation: 不属实 needs its explanation (003 附件1.2 事实认定"不属实"工单情况说明表)');
  }
  wo.requireStage(['handling']);
  if (!u.signedAt) refuse('UNIT_NOT_SIGNED', `unit ${u.unitId} must sign before replying`);
  if (!commit) return;
  const { actor, ...reply } = a;
  wo.state.replies.push({ ...reply, unitId: u.unitId, at: iso(now), by: actor.userId, round: wo.state.reHandleCount });
  wo.done(wo.handlingClock(), now);
  wo.done(wo.unitClock('urgentReport', u), now);
  if (!u.contactedAt) {
    // The reply names when the caller was first contacted (003).
    u.contactedAt = iso(Math.min(now, ms(a.firstContactAt)));
    wo.done(wo.unitClock('firstContact', u), ms(u.contactedAt));
  }
  wo.state.stage = 'replied';
  wo.addClock(now, 'replyReview', undefined, 'obligation', now, wo.profile.replyReview.window, wo.state.replies.length);
  const seq = wo.event(now, 'replied', actor, { resultType: a.resultType, firstContactAt: a.firstContactAt, answeredAt: a.answeredAt, attachments: a.attachments.length }, u.unitId);
  wo.notify(seq, now, 'replySubmitted', [{ audience: 'center' }], { unitId: u.unitId, resultType: a.resultType });
}
