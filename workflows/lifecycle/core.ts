/**
 * The core of the work-order lifecycle (workflows/lifecycle.ts): state, outbox and the helpers
 * every rule uses. Workflow-safe: time is always passed in, no I/O, no Node built-ins.
 *
 * Seeds: 000 鲁山县, 001 开封市, 002 city system, 003 南码头路街道, 004 泾川县 (see each rule).
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkingCalendar } from '../../domain/calendar';
import type { SlaProfile } from '../../domain/profile';
import { completionWindow, returnWindow, signWindow } from '../../domain/profileRules';
import { addDuration, type SlaDuration } from '../../domain/sla';
import { terminalStages } from '../../domain/stages';
import type { Actor, RefusalType, Stage } from '../../domain/workorder';
import type {
  Clock,
  ClockName,
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
  WorkOrderState,
} from '../types';
import { systemActor } from '../types';

/** Timeline entries kept in the state (the read model keeps all). */
export const TIMELINE_KEEP = 300;

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

export const iso = (ms: number): IsoTime => new Date(ms).toISOString();
/**
 * Windows count from the minute something happened: workflow time carries the milliseconds of
 * task processing, and 09:00:00.063 + 3 working hours would otherwise miss the 12:00 closing and
 * land at 14:00.
 */
export const minuteOf = (ms: number): number => Math.floor(ms / 60_000) * 60_000;
/** Rules 2 (issue 12): the second is kept (09:59:59 + 1 hour = 10:59:59), only the milliseconds go. */
export const secondOf = (ms: number): number => Math.floor(ms / 1000) * 1000;
export const ms = (t: IsoTime): number => Date.parse(t);
export const describe = (d: SlaDuration): string => `${d.amount} ${d.unit}`;
export const open = (c: Clock) => c.status === 'pending';
export const centerRoles: Actor['role'][] = ['center', 'admin'];
export const centerOrSupervisor: Actor['role'][] = ['center', 'supervisor', 'admin'];

/**
 * One work order's state and rules, shared by the action modules beside this one: the state,
 * its calendar and profile, the outbox, and the helpers every rule uses (clocks, escalation,
 * events, notifications, checks). {@link WorkOrderLifecycle} (workflows/lifecycle.ts) is what
 * the workflow builds.
 */
export class LifecycleCore {
  readonly state: WorkOrderState;
  cal: WorkingCalendar;
  readonly profile: SlaProfile;
  /** {@link WorkOrderInput.rulesVersion}: 1 for work orders started before issue 12. */
  readonly rules: number;
  outbox: Outbox = { events: [], notifications: [], supervisionOpens: [], supervisionCloses: [] };

  protected constructor(state: WorkOrderState, input: WorkOrderInput) {
    this.state = state;
    this.profile = input.profile;
    this.cal = new WorkingCalendar(input.calendar);
    this.rules = input.rulesVersion ?? 1;
  }

  /** Where a window starts for an instant: its minute (rules 1) or its second (rules 2). */
  anchor(t: number): number {
    return this.rules >= 2 ? secondOf(t) : minuteOf(t);
  }

  /** Whether the work order has reached a terminal stage. */
  get finished(): boolean {
    return terminalStages.includes(this.state.stage);
  }

  // ---- Helpers ---------------------------------------------------------------------------

  /** Moves a fresh or released work order on: pre-briefing → 批办 instruction → dispatch. */
  advance(now: number, actor: Actor): void {
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

  dispatchTo(now: number, actor: Actor, mainUnitId: string, coUnitIds: string[], instruction: string | undefined): void {
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

  reHandle(now: number, actor: Actor, reason: string): void {
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

  escalate(
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

  finish(now: number, stage: 'closed' | 'withdrawn', reason: string, actor: Actor): void {
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

  addClock(now: number, name: ClockName, unitId: string | undefined, kind: Clock['kind'], from: number, length: SlaDuration, n = 1): Clock {
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

  urgePoints(name: ClockName, start: number, deadline: number, notBefore: number): IsoTime[] {
    const u = this.profile.urgePoints;
    const before = name === 'sign' ? u.sign : name === 'firstContact' || name === 'siteVisit' ? u.firstContact : name === 'completion' || name === 'reHandle' ? u.completion : [];
    const points = before
      .map((d) => addDuration(this.cal, deadline, { amount: -d.amount, unit: d.unit }).getTime())
      .filter((t) => t > Math.max(start, notBefore) && t < deadline);
    return [...new Set(points)].sort((a, b) => a - b).map(iso);
  }

  /** Marks a clock provisional when its span crosses a year with no official schedule (else clears it if set). */
  markProvisional(c: Clock): void {
    const years = this.cal.provisionalYearsBetween(ms(c.start), ms(c.deadline));
    if (years.length) Object.assign(c, { provisional: true, provisionalYears: years });
    else if (c.provisional !== undefined) Object.assign(c, { provisional: false, provisionalYears: undefined });
  }

  /** Marks an obligation done at `at` (met if in time, else late on a missed clock). */
  done(c: Clock | undefined, at: number): void {
    if (!c || c.doneAt || c.status === 'cancelled' || c.status === 'expired') return;
    c.doneAt = iso(at);
    if (c.status === 'pending') c.status = at <= ms(c.deadline) ? 'met' : 'missed';
    if (c.status === 'met') c.metAt = c.doneAt;
    if (c.status === 'missed') c.lateWorkingMinutes = Math.round(this.cal.workingMinutesBetween(ms(c.deadline), at));
  }

  cancelUnitClocks(unitId: string, _now: number): void {
    for (const c of this.state.clocks) if (c.unitId === unitId && open(c)) c.status = 'cancelled';
  }

  /** The latest center clock of `name` not done yet (pending, or missed and still to do). */
  undone(name: ClockName): Clock | undefined {
    return this.state.clocks.filter((c) => c.name === name && !c.doneAt && (c.status === 'pending' || c.status === 'missed')).at(-1);
  }

  /** The clock of `name` for an assignment (its dispatch), if any. */
  unitClock(name: ClockName, u: UnitAssignment): Clock | undefined {
    return this.state.clocks.find((c) => c.name === name && c.unitId === u.unitId && c.id.endsWith(`:${u.dispatchNo}`) && c.status !== 'cancelled');
  }

  /** The main unit's current handling clock: the latest re-handle clock, else completion. */
  handlingClock(includeDone = false): Clock | undefined {
    const main = this.state.mainUnitId;
    if (!main) return undefined;
    const candidates = this.state.clocks.filter(
      (c) => c.unitId === main && (c.name === 'completion' || c.name === 'reHandle') && c.status !== 'cancelled' && (includeDone || !c.doneAt),
    );
    return candidates.at(-1);
  }

  /** The window a clock was started with (its `length` before any extension). */
  clockLength(clock: Clock): SlaDuration {
    const [amount, unit] = clock.length.split(/[ ;]/);
    return { amount: Number(amount), unit: unit as SlaDuration['unit'] };
  }

  /** The first rung of the ladder: 催办, which comes before a deadline. */
  get urgeStep(): string {
    return this.ladder[0] ?? 'urge';
  }

  get ladder(): string[] {
    return this.profile.escalation.ladder;
  }

  /** The rung a new escalation reaches: one above the highest reached, at least 督办 (the second). */
  nextStep(): string {
    const ladder = this.ladder;
    const reached = this.state.escalationLevel ? ladder.indexOf(this.state.escalationLevel) : -1;
    return ladder[Math.min(ladder.length - 1, Math.max(1, reached + 1))] ?? 'supervise';
  }

  /**
   * Rules 2 (004 第十二条(二), 001 三(三)): a missed deadline opens 督办 at the profile's first level
   * after 催办; the next level only for a failure after the 督办 was opened: a deadline that passes
   * in the same instant as the one that opened it does not climb a second rung.
   */
  stepForMiss(c: Clock): string {
    const ladder = this.ladder;
    const first = ladder[1] ?? ladder[0] ?? 'supervise';
    const supervisions = this.state.escalations.filter((e) => e.kind !== this.urgeStep);
    if (!supervisions.length) return first;
    const level = this.state.escalationLevel && ladder.includes(this.state.escalationLevel) ? this.state.escalationLevel : first;
    const openedAt = Math.max(...supervisions.map((e) => ms(e.dueAt ?? e.at)));
    if (ms(c.deadline) <= openedAt) return level;
    return ladder[Math.min(ladder.length - 1, Math.max(1, ladder.indexOf(level) + 1))] ?? level;
  }

  activeUnit(unitId: string): UnitAssignment | undefined {
    return this.state.units.find((u) => u.unitId === unitId && u.status === 'active');
  }

  requireRole(actor: Actor, roles: Actor['role'][]): void {
    if (!roles.includes(actor.role)) refuse('ROLE_NOT_ALLOWED', `role ${actor.role} may not do this (allowed: ${roles.join(', ')})`);
  }

  /** Refuses an action missing a field the profile requires (INVALID_INPUT naming it). */
  requireFields(args: object, fields: readonly string[], clause: string): void {
    const missing = fields.filter((f) => (args as Record<string, unknown>)[f] === undefined);
    if (missing.length) refuse('INVALID_INPUT', `${missing[0]}: required by this hotline (${clause}); missing: ${missing.join(', ')}`);
  }

  requireStage(stages: Stage[]): void {
    if (!stages.includes(this.state.stage)) refuse('WRONG_STAGE', `stage is ${this.state.stage}; this needs ${stages.join(' or ')}`);
  }

  requireAssigned(actor: Actor): UnitAssignment {
    const u = actor.unitId ? this.activeUnit(actor.unitId) : undefined;
    if (!u) refuse('NOT_ASSIGNED_UNIT', `unit ${actor.unitId ?? '(none)'} is not assigned to work order ${this.state.workOrderId}`);
    return u;
  }

  requireMain(actor: Actor): UnitAssignment {
    const u = this.requireAssigned(actor);
    if (u.role !== 'main') refuse('NOT_MAIN_UNIT', `unit ${u.unitId} is a co-unit; only the main unit ${this.state.mainUnitId} may do this`);
    return u;
  }

  event(now: number, type: string, actor: Actor, detail: Record<string, unknown>, unitId?: string): number {
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

  notify(seq: number, now: number, kind: NotificationKind, recipients: Recipient[], payload: Record<string, unknown>): void {
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
  shown(t: IsoTime | number): string {
    const at = typeof t === 'number' ? t : Date.parse(t);
    const offset = this.cal.data.utcOffsetMinutes;
    const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    return `${this.cal.localDate(at)} ${this.cal.localTime(at)} (${zone})${this.cal.isCovered(at) ? '' : ' 暂定'}`;
  }

  /**
   * For people: each deadline of a notification as local time, `2027-01-07 10:00 (+08:00)`, with
   * 暂定 when its year has no official schedule yet (`deadlineText`, `signDeadlineText`, ...).
   */
  deadlineTexts(payload: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of ['deadline', 'signDeadline', 'completionDeadline']) {
      const value = payload[key];
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) out[`${key}Text`] = this.shown(value);
    }
    return out;
  }
}
