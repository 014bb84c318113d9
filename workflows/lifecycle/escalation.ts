/**
 * The clock and escalation: what is due next, urges (催办) and missed deadlines (督办 ladder), reminders, and the supervisor's 督办 action.
 *
 * Part of the work-order lifecycle (workflows/lifecycle.ts): each function takes the work order's
 * state and rules ({@link LifecycleCore}). Workflow-safe: time is passed in, no I/O.
 */
import { addDuration } from '../../domain/sla';
import type { Acted } from '../../domain/workorder';
import type { Clock, IsoTime } from '../types';
import { systemActor } from '../types';
import { LifecycleCore, iso, ms, open, centerOrSupervisor, refuse } from './core';

export function supervise(
  wo: LifecycleCore,
  a: Acted<{ reason: string; trigger: string; method?: string; level?: string; repeatCount?: number }>,
  now: number,
  commit: boolean,
): void {
  wo.requireRole(a.actor, centerOrSupervisor);
  const e = wo.profile.escalation;
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
  if (a.level !== undefined && wo.ladder.indexOf(a.level) < 1) {
    refuse('INVALID_INPUT', `level: one of ${wo.ladder.slice(1).join(', ')}`);
  }
  if (!commit) return;
  wo.escalate(now, {
    // 004 第十九条(一): repeated complaints → 追责, the top rung; otherwise the chosen level.
    kind: a.level ?? (a.trigger === 'repeatComplaints' ? wo.ladder[wo.ladder.length - 1] : undefined) ?? wo.ladder[1] ?? 'supervise',
    trigger: a.trigger,
    reason: a.reason,
    unitId: wo.state.mainUnitId,
    by: a.actor,
    method: a.method,
  });
}

// ---- The clock -------------------------------------------------------------------------

/** The next instant something is due (urge point, deadline, reminder), if any. */
export function nextWakeAt(wo: LifecycleCore): number | undefined {
  let next: number | undefined;
  const consider = (t: number) => {
    if (next === undefined || t < next) next = t;
  };
  for (const c of wo.state.clocks) {
    if (!open(c)) continue;
    consider(ms(c.deadline));
    for (const u of c.urgeAt) if (!c.urged.includes(u)) consider(ms(u));
  }
  for (const c of wo.state.clocks) if (c.followUpAt && c.status === 'missed' && !c.doneAt) consider(ms(c.followUpAt));
  for (const e of wo.state.expertEvaluations) if (e.status === 'pending' && !e.remindedAt) consider(ms(e.reminderAt));
  return next;
}

/** Fires everything due at or before `now`, in time order: urges, missed deadlines, reminders. */
export function tick(wo: LifecycleCore, now: number): void {
  if (wo.finished) return;
  for (;;) {
    const next = nextWakeAt(wo);
    if (next === undefined || next > now || wo.finished) return;
    fire(wo, next, now);
  }
}

function fire(wo: LifecycleCore, due: number, now: number): void {
  for (const e of wo.state.expertEvaluations) {
    if (e.status === 'pending' && !e.remindedAt && ms(e.reminderAt) === due) {
      e.remindedAt = iso(now);
      const seq = wo.event(now, 'expertReminder', systemActor, { dueAt: e.reminderAt, deadline: e.deadline });
      wo.notify(seq, now, 'expertReminder', [{ audience: 'center' }], { deadline: e.deadline });
      return;
    }
  }
  for (const c of wo.state.clocks) {
    if (c.followUpAt && c.status === 'missed' && !c.doneAt && ms(c.followUpAt) === due) {
      c.followUpAt = undefined;
      if (c.unitId && wo.activeUnit(c.unitId)) overdue(wo, c, due, now);
      return;
    }
  }
  for (const c of wo.state.clocks) {
    if (!open(c)) continue;
    const point = c.urgeAt.find((u) => !c.urged.includes(u) && ms(u) === due);
    if (point) {
      c.urged.push(point);
      if (c.kind === 'obligation') urge(wo, c, point, now);
      return;
    }
    if (ms(c.deadline) === due) {
      if (c.kind === 'window') expire(wo, c, now);
      else miss(wo, c, now);
      return;
    }
  }
}

function urge(wo: LifecycleCore, c: Clock, dueAt: IsoTime, now: number): void {
  // 催办 (003: 密切关注即将超期工单).
  wo.escalate(now, {
    kind: wo.urgeStep,
    trigger: 'urgePoint',
    reason: `${c.name} deadline ${wo.shown(c.deadline)} approaching`,
    dueAt,
    clock: c,
    unitId: c.unitId,
  });
}

export function miss(wo: LifecycleCore, c: Clock, now: number): void {
  c.status = 'missed';
  c.missedAt = c.deadline;
  if (!c.unitId) {
    // The center's own deadline (pre-briefing, review, callback): supervisors are told; the
    // units' escalation ladder does not move.
    const seq = wo.event(now, 'centerDeadlineMissed', systemActor, { clock: c.id, name: c.name, dueAt: c.deadline });
    wo.notify(seq, now, 'escalation', [{ audience: 'supervisors' }], { clock: c.name, deadline: c.deadline, reason: `the center's ${c.name} deadline passed` });
    return;
  }
  if (wo.rules >= 2) {
    overdue(wo, c, ms(c.deadline), now);
    return;
  }
  const step = wo.nextStep();
  // 000 五.3: overdue after an extension → 督办通知; 001 三(三): two urges without result → 督办.
  const urges = wo.profile.escalation.urgesBeforeSupervision;
  const trigger =
    c.extended && wo.profile.escalation.superviseOverdueAfterExtension
      ? 'overdueAfterExtension'
      : urges > 0 && c.urged.length >= urges
        ? 'urgedWithoutResult'
        : 'missedDeadline';
  wo.escalate(now, { kind: step, trigger, reason: `${c.name} deadline ${wo.shown(c.deadline)} missed`, dueAt: c.deadline, clock: c, unitId: c.unitId });
}

/**
 * Rules 2: a unit's obligation is past due at `due` (its deadline or a follow-up). 000 五.3 /
 * 附件1 五.3: overdue after an extension → 督办通知 at once. 001 三(三): short of the profile's
 * urges → 催办 again (and again after `overdueUrgeAfter`); 督办 once the urges went unanswered.
 * Other profiles (0 urges): 督办 at once.
 */
function overdue(wo: LifecycleCore, c: Clock, due: number, now: number): void {
  const e = wo.profile.escalation;
  const urges = e.urgesBeforeSupervision;
  const afterExtension = c.extended && e.superviseOverdueAfterExtension;
  if (!afterExtension && urges > 0 && c.urged.length < urges) {
    c.urged.push(iso(due));
    wo.escalate(now, {
      kind: wo.urgeStep,
      trigger: 'overdueUrge',
      reason: `${c.name} deadline ${c.deadline} missed: 催办 ${c.urged.length} of ${urges} (001 三(三))`,
      dueAt: iso(due),
      clock: c,
      unitId: c.unitId,
    });
    c.followUpAt = iso(addDuration(wo.cal, due, e.overdueUrgeAfter ?? { amount: 1, unit: 'workingDays' }).getTime());
    return;
  }
  const trigger = afterExtension ? 'overdueAfterExtension' : urges > 0 ? 'urgedWithoutResult' : 'missedDeadline';
  wo.escalate(now, { kind: wo.stepForMiss(c), trigger, reason: `${c.name} deadline ${c.deadline} missed`, dueAt: iso(due), clock: c, unitId: c.unitId });
}

function expire(wo: LifecycleCore, c: Clock, now: number): void {
  c.status = 'expired';
  if (c.name === 'expertEvaluation') {
    // 002: neither ruled nor returned within 2 working days → withdrawn from the evaluator;
    // the citizen's 不满意 stands, so the unit re-handles.
    const e = wo.state.expertEvaluations.at(-1)!;
    e.status = 'autoWithdrawn';
    const seq = wo.event(now, 'expertWithdrawn', systemActor, { dueAt: c.deadline });
    wo.notify(seq, now, 'expertWithdrawn', [{ audience: 'center' }], {});
    wo.reHandle(now, systemActor, 'expert evaluation auto-withdrawn (002); the unsatisfied rating stands');
    return;
  }
  wo.event(now, 'windowClosed', systemActor, { clock: c.id, name: c.name, dueAt: c.deadline }, c.unitId);
}
