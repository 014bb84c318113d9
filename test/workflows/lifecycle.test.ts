/**
 * The work-order rules on the real 2026 calendar (office hours 08:30–12:00, 14:00–17:30), without
 * Temporal: each rule of RULES.md's lifecycle, its window met and missed, and its refusals.
 * workOrder.test.ts runs the same rules through the real worker on the engine.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkingCalendar } from '../../domain/calendar';
import { WorkOrderLifecycle, type ActionName } from '../../workflows/lifecycle';
import type { Clock } from '../../workflows/types';
import { calendarData, callback, center, input, iso, reply, supervisor, t, unitUser } from './fixtures';

const A = unitUser('unit-a');
const B = unitUser('unit-b');
const C = unitUser('unit-c');

function refusal(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApplicationFailure) return error.type ?? 'untyped';
    throw error;
  }
  return undefined;
}

function clock(wo: WorkOrderLifecycle, id: string): Clock {
  const c = wo.state.clocks.find((x) => x.id === id);
  if (!c) throw new Error(`no clock ${id}; have ${wo.state.clocks.map((x) => x.id).join(', ')}`);
  return c;
}

function act(wo: WorkOrderLifecycle, action: ActionName, body: Record<string, unknown>, at: number): void {
  wo.tick(at - 1);
  wo.apply(action, body, at);
}

describe('Friday-evening work order on the working calendar (004 泾川县)', () => {
  // Fri 2026-03-06 19:40, after office hours: counting starts Mon 03-09 08:30.
  const created = t('2026-03-06', '19:40');

  it('computes sign, first-contact, return and completion deadlines from the next opening', () => {
    const wo = WorkOrderLifecycle.create(input(), created);
    expect(wo.state.stage).toBe('dispatched');
    expect(clock(wo, 'sign:unit-a:1').deadline).toBe(iso('2026-03-09', '11:30')); // 3 working hours
    expect(clock(wo, 'sign:unit-a:1').urgeAt).toEqual([iso('2026-03-09', '10:30')]); // 1 working hour before
    expect(clock(wo, 'firstContact:unit-a:1').deadline).toBe(iso('2026-03-09', '11:30'));
    expect(clock(wo, 'return:unit-a:1').deadline).toBe(iso('2026-03-10', '08:30')); // 1 working day
    expect(clock(wo, 'completion:unit-a:1').deadline).toBe(iso('2026-03-16', '08:30')); // 5 working days
    expect(wo.nextWakeAt()).toBe(t('2026-03-09', '10:30'));
  });

  it('signed on Monday morning: the sign window is met and nothing is urged for it', () => {
    const wo = WorkOrderLifecycle.create(input(), created);
    act(wo, 'sign', { actor: A }, t('2026-03-09', '09:00'));
    expect(clock(wo, 'sign:unit-a:1').status).toBe('met');
    expect(wo.state.stage).toBe('handling');
    act(wo, 'contact', { actor: A, reached: true, person: '王五' }, t('2026-03-09', '09:20'));
    expect(clock(wo, 'firstContact:unit-a:1').status).toBe('met');
    wo.tick(t('2026-03-09', '12:00'));
    expect(wo.state.escalations).toEqual([]);
  });

  it('not signed: urged at Monday 10:30, escalated to 督办 at 11:30, and it keeps running', () => {
    const wo = WorkOrderLifecycle.create(input(), created);
    wo.tick(t('2026-03-09', '10:29'));
    expect(wo.state.escalations).toEqual([]);
    wo.tick(t('2026-03-09', '10:30'));
    const urges = wo.state.escalations.filter((e) => e.kind === 'urge');
    expect(urges.map((e) => [e.clockId, e.dueAt])).toEqual([
      ['sign:unit-a:1', iso('2026-03-09', '10:30')],
      ['firstContact:unit-a:1', iso('2026-03-09', '10:30')],
    ]);
    wo.tick(t('2026-03-09', '11:30'));
    const escalations = wo.state.escalations.filter((e) => e.kind !== 'urge');
    // 004's ladder: urge → supervise (书面督办) → coordinationMeeting (会议协调).
    expect(escalations.map((e) => [e.clockId, e.kind, e.dueAt])).toEqual([
      ['sign:unit-a:1', 'supervise', iso('2026-03-09', '11:30')],
      ['firstContact:unit-a:1', 'coordinationMeeting', iso('2026-03-09', '11:30')],
    ]);
    expect(clock(wo, 'sign:unit-a:1').status).toBe('missed');
    const out = wo.drain();
    expect(out.supervisionOpens.map((s) => s.level)).toEqual(['supervise', 'coordinationMeeting']);
    expect(out.notifications.filter((n) => n.kind === 'urge').flatMap((n) => n.recipients)).toEqual([
      { audience: 'unit', unitId: 'unit-a' },
      { audience: 'unit', unitId: 'unit-a' },
    ]);
    // Late signing is still accepted, recorded late in working minutes (11:30 → 14:10 = 40).
    act(wo, 'sign', { actor: A }, t('2026-03-09', '14:10'));
    expect(clock(wo, 'sign:unit-a:1')).toMatchObject({ status: 'missed', doneAt: iso('2026-03-09', '14:10'), lateWorkingMinutes: 40 });
    expect(wo.snapshot()).toMatchObject({ signedOnTime: false, overdue: true });
  });
});

describe('pre-briefing (003 南码头路街道)', () => {
  it('records attempts at least 1 hour apart, then dispatches noting them', () => {
    const wo = WorkOrderLifecycle.create(input({ profile: 'nanmatou-003' }), t('2026-03-10', '09:00'));
    expect(wo.state.stage).toBe('preBriefing');
    expect(clock(wo, 'preBrief:center:1').deadline).toBe(iso('2026-03-10', '10:00'));
    act(wo, 'preBrief', { actor: center, reached: false }, t('2026-03-10', '09:10'));
    expect(clock(wo, 'preBrief:center:1').status).toBe('met');
    expect(refusal(() => act(wo, 'preBrief', { actor: center, reached: false }, t('2026-03-10', '09:40')))).toBe('PRE_BRIEF_ATTEMPT_TOO_SOON');
    act(wo, 'preBrief', { actor: center, reached: false }, t('2026-03-10', '10:10'));
    expect(wo.state.stage).toBe('preBriefing');
    act(wo, 'preBrief', { actor: center, reached: false }, t('2026-03-10', '11:10'));
    expect(wo.state.preBriefDone).toBe(true);
    expect(wo.state.stage).toBe('dispatched'); // the intake named the main unit
    expect(wo.state.timeline.find((e) => e.type === 'preBriefDone')?.detail.attempts).toHaveLength(3);
  });

  it('missed: the center is late, supervisors are told, the units ladder does not move', () => {
    const wo = WorkOrderLifecycle.create(input({ profile: 'nanmatou-003' }), t('2026-03-10', '09:00'));
    wo.tick(t('2026-03-10', '10:00'));
    expect(clock(wo, 'preBrief:center:1').status).toBe('missed');
    expect(wo.state.timeline.at(-1)?.type).toBe('centerDeadlineMissed');
    expect(wo.state.escalationLevel).toBeUndefined();
    expect(wo.snapshot().overdue).toBe(true);
    act(wo, 'preBrief', { actor: center, reached: true }, t('2026-03-10', '10:20'));
    expect(clock(wo, 'preBrief:center:1')).toMatchObject({ status: 'missed', doneAt: iso('2026-03-10', '10:20'), lateWorkingMinutes: 20 });
    expect(wo.snapshot().overdue).toBe(false);
  });
});

describe('classification (004)', () => {
  it('即办 is closed at once and refuses every action', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { classification: 'immediate', immediateAnswer: '周一至周五办理' } }), t('2026-03-10', '09:00'));
    expect(wo.state.stage).toBe('closed');
    expect(refusal(() => wo.apply('sign', { actor: A }, t('2026-03-10', '09:05')))).toBe('WORK_ORDER_CLOSED');
  });

  it('批办 waits for the leadership instruction, then the center dispatches with it', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { classification: 'leadership', mainUnitId: undefined } }), t('2026-03-10', '09:00'));
    expect(wo.state.stage).toBe('awaitingInstruction');
    expect(refusal(() => act(wo, 'dispatch', { actor: center, mainUnitId: 'unit-a' }, t('2026-03-10', '09:10')))).toBe('WRONG_STAGE');
    act(wo, 'instruction', { actor: supervisor, instruction: '请住建局牵头办理' }, t('2026-03-10', '10:00'));
    expect(wo.state.stage).toBe('awaitingDispatch');
    act(wo, 'dispatch', { actor: center, mainUnitId: 'unit-a', coUnitIds: ['unit-c'] }, t('2026-03-10', '10:30'));
    expect(wo.state).toMatchObject({ stage: 'dispatched', mainUnitId: 'unit-a', coUnitIds: ['unit-c'], instruction: '请住建局牵头办理' });
    expect(clock(wo, 'sign:unit-c:1').deadline).toBe(iso('2026-03-10', '15:30')); // 10:30 + 3 working hours over lunch
    expect(wo.state.clocks.some((c) => c.id === 'completion:unit-c:1')).toBe(false); // the main unit completes
  });
});

describe('return (退单, 004 第十一条(二))', () => {
  const dispatched = t('2026-03-10', '09:00'); // Tue

  it('approved: re-dispatched to the named unit, and the clocks restart', () => {
    const wo = WorkOrderLifecycle.create(input(), dispatched);
    act(wo, 'returnRequest', { actor: A, reason: '不属于本单位职责' }, t('2026-03-10', '10:00'));
    expect(wo.state.stage).toBe('returnRequested');
    act(wo, 'returnReview', { actor: center, approved: true, nextMainUnitId: 'unit-b', reason: '改派' }, t('2026-03-10', '11:00'));
    expect(wo.state).toMatchObject({ stage: 'dispatched', mainUnitId: 'unit-b', dispatchCount: 2 });
    expect(clock(wo, 'completion:unit-a:1').status).toBe('cancelled');
    expect(clock(wo, 'completion:unit-b:2')).toMatchObject({ start: iso('2026-03-10', '11:00'), deadline: iso('2026-03-17', '11:00') });
    expect(refusal(() => act(wo, 'sign', { actor: A }, t('2026-03-10', '11:10')))).toBe('NOT_ASSIGNED_UNIT');
    act(wo, 'sign', { actor: B }, t('2026-03-10', '11:10'));
    expect(wo.state.stage).toBe('handling');
  });

  it('rejected: the same unit continues and the completion clock keeps its first-dispatch start', () => {
    const wo = WorkOrderLifecycle.create(input(), dispatched);
    act(wo, 'returnRequest', { actor: A, reason: '不属于本单位职责' }, t('2026-03-10', '10:00'));
    act(wo, 'returnReview', { actor: center, approved: false, reason: '属于本单位职责' }, t('2026-03-10', '15:00'));
    expect(wo.state).toMatchObject({ stage: 'dispatched', mainUnitId: 'unit-a', dispatchCount: 1 });
    expect(clock(wo, 'completion:unit-a:1')).toMatchObject({ start: iso('2026-03-10', '09:00'), deadline: iso('2026-03-17', '09:00'), status: 'pending' });
    // The sign deadline (12:00) passed while the return was reviewed: it was missed.
    expect(clock(wo, 'sign:unit-a:1').status).toBe('missed');
    expect(refusal(() => act(wo, 'returnRequest', { actor: A, reason: '再次申请' }, t('2026-03-10', '15:10')))).toBe('RETURN_ALREADY_REJECTED');
    // 004 第十二条(二): a return of a ticket within the unit's duty is a 督办 trigger.
    expect(wo.state.escalations.filter((e) => e.kind !== 'urge').map((e) => [e.trigger, e.clockId])).toEqual([
      ['missedDeadline', 'sign:unit-a:1'],
      ['missedDeadline', 'firstContact:unit-a:1'],
      ['returnWithinDuty', undefined],
    ]);
  });

  it('rejected under a profile without that trigger (000): no 督办 for the return', () => {
    const wo = WorkOrderLifecycle.create(input({ profile: 'lushan-000' }), dispatched);
    act(wo, 'returnRequest', { actor: A, reason: '不属于本单位职责' }, t('2026-03-10', '10:00'));
    act(wo, 'returnReview', { actor: center, approved: false, reason: '属于本单位职责' }, t('2026-03-10', '10:30'));
    expect(wo.state.escalations).toEqual([]);
  });

  it('after its window the return is refused and the unit must handle it', () => {
    const wo = WorkOrderLifecycle.create(input(), dispatched);
    expect(clock(wo, 'return:unit-a:1').deadline).toBe(iso('2026-03-11', '09:00'));
    expect(refusal(() => wo.check('returnRequest', { actor: A, reason: '不属于本单位' }, t('2026-03-11', '09:01')))).toBe('RETURN_WINDOW_CLOSED');
    wo.tick(t('2026-03-11', '09:00'));
    expect(clock(wo, 'return:unit-a:1').status).toBe('expired');
    expect(refusal(() => act(wo, 'returnRequest', { actor: A, reason: '不属于本单位' }, t('2026-03-11', '09:01')))).toBe('RETURN_WINDOW_CLOSED');
  });

  it('urgent: at most 30 minutes after signing', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { urgency: 'urgent', category: 'help' } }), dispatched);
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:10'));
    expect(clock(wo, 'return:unit-a:1').deadline).toBe(iso('2026-03-10', '09:40'));
    expect(refusal(() => act(wo, 'returnRequest', { actor: A, reason: '不属于本单位' }, t('2026-03-10', '09:41')))).toBe('RETURN_WINDOW_CLOSED');
  });

  it('a co-unit return approved drops the co-unit only', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { coUnitIds: ['unit-c'] } }), dispatched);
    act(wo, 'returnRequest', { actor: C, reason: '无关' }, t('2026-03-10', '09:30'));
    expect(wo.state.stage).toBe('dispatched');
    act(wo, 'returnReview', { actor: center, approved: true, reason: '同意' }, t('2026-03-10', '09:40'));
    expect(wo.state).toMatchObject({ mainUnitId: 'unit-a', coUnitIds: [] });
    expect(clock(wo, 'sign:unit-c:1').status).toBe('cancelled');
  });
});

describe('extension (延期)', () => {
  const start = t('2026-03-10', '09:00');
  const ready = (profile: 'jingchuan-004' | 'nanmatou-003' = 'jingchuan-004') => {
    const wo = WorkOrderLifecycle.create(input({ profile, intake: { mainUnitId: profile === 'nanmatou-003' ? undefined : 'unit-a' } }), start);
    if (profile === 'nanmatou-003') {
      act(wo, 'preBrief', { actor: center, reached: true }, t('2026-03-10', '09:05'));
      act(wo, 'dispatch', { actor: center, mainUnitId: 'unit-a' }, start);
    }
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:30'));
    act(wo, 'contact', { actor: A, reached: true, person: '李四' }, t('2026-03-10', '09:40'));
    return wo;
  };

  it('one extension allowed and approved moves the deadline; a second is refused (000 五.2)', () => {
    const wo = ready();
    expect(refusal(() => act(wo, 'extensionRequest', { actor: A, workingDays: 6, reason: '复杂' }, t('2026-03-12', '10:00')))).toBe('EXTENSION_TOO_LONG');
    act(wo, 'extensionRequest', { actor: A, workingDays: 3, reason: '需要协调多部门' }, t('2026-03-12', '10:00'));
    expect(refusal(() => act(wo, 'extensionRequest', { actor: A, workingDays: 1, reason: '再' }, t('2026-03-12', '10:05')))).toBe('EXTENSION_PENDING');
    act(wo, 'extensionReview', { actor: center, approved: true, reason: '同意' }, t('2026-03-12', '11:00'));
    expect(clock(wo, 'completion:unit-a:1')).toMatchObject({ deadline: iso('2026-03-20', '09:00'), originalDeadline: iso('2026-03-17', '09:00'), extended: true });
    expect(refusal(() => act(wo, 'extensionRequest', { actor: A, workingDays: 1, reason: '再次延期' }, t('2026-03-13', '10:00')))).toBe('EXTENSION_ALREADY_USED');
    // Overdue after the extension: 督办 (000 五.3).
    wo.tick(t('2026-03-20', '09:00'));
    const e = wo.state.escalations.filter((x) => x.kind !== 'urge');
    expect(e.map((x) => [x.trigger, x.kind, x.dueAt])).toEqual([['overdueAfterExtension', 'supervise', iso('2026-03-20', '09:00')]]);
  });

  it('asked less than 1 working day before the deadline: too late (004 第十一条(一)4)', () => {
    const wo = ready();
    expect(refusal(() => act(wo, 'extensionRequest', { actor: A, workingDays: 2, reason: '复杂' }, t('2026-03-16', '09:01')))).toBe('EXTENSION_TOO_LATE');
    act(wo, 'extensionRequest', { actor: A, workingDays: 2, reason: '复杂' }, t('2026-03-16', '09:00'));
  });

  it('003: asked more than 1 working day after receipt: too late', () => {
    const wo = ready('nanmatou-003');
    expect(refusal(() => act(wo, 'extensionRequest', { actor: A, workingDays: 2, reason: '复杂' }, t('2026-03-11', '09:01')))).toBe('EXTENSION_TOO_LATE');
  });

  it('refused: the deadline stays and the request does not count', () => {
    const wo = ready();
    act(wo, 'extensionRequest', { actor: A, workingDays: 2, reason: '复杂' }, t('2026-03-12', '10:00'));
    act(wo, 'extensionReview', { actor: center, approved: false, reason: '理由不足' }, t('2026-03-12', '11:00'));
    expect(clock(wo, 'completion:unit-a:1').deadline).toBe(iso('2026-03-17', '09:00'));
    act(wo, 'extensionRequest', { actor: A, workingDays: 2, reason: '补充理由' }, t('2026-03-12', '14:00'));
  });
});

describe('reply, review, callback, re-handling', () => {
  const start = t('2026-03-10', '09:00');
  const handled = () => {
    const wo = WorkOrderLifecycle.create(input(), start);
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:30'));
    act(wo, 'contact', { actor: A, reached: true, person: '李四' }, t('2026-03-10', '10:00'));
    return wo;
  };

  it('review sends the reply back; the completion clock is open again; met on the second reply', () => {
    const wo = handled();
    act(wo, 'reply', { actor: A, ...reply(iso('2026-03-10', '10:00')) }, t('2026-03-12', '10:00'));
    expect(wo.state.stage).toBe('replied');
    expect(clock(wo, 'completion:unit-a:1').status).toBe('met');
    act(wo, 'replyReview', { actor: center, accepted: false, reason: '未附现场照片' }, t('2026-03-12', '11:00'));
    expect(wo.state.stage).toBe('handling');
    expect(clock(wo, 'completion:unit-a:1')).toMatchObject({ status: 'pending', doneAt: undefined, metAt: undefined });
    act(wo, 'reply', { actor: A, ...reply(iso('2026-03-10', '10:00')) }, t('2026-03-13', '10:00'));
    act(wo, 'replyReview', { actor: center, accepted: true, reason: '合规' }, t('2026-03-13', '11:00'));
    expect(wo.state.stage).toBe('callback');
    act(wo, 'callback', { actor: center, ...callback('satisfied') }, t('2026-03-13', '15:00'));
    expect(wo.state.stage).toBe('closed');
    expect(wo.snapshot()).toMatchObject({ completedOnTime: true, signedOnTime: true, firstContactOnTime: true, satisfaction: 'satisfied', resultType: 'resolved' });
  });

  it("the center's own review and callback windows: missed ones are reported to supervisors", () => {
    const wo = handled();
    act(wo, 'reply', { actor: A, ...reply(iso('2026-03-10', '10:00')) }, t('2026-03-12', '10:00'));
    expect(clock(wo, 'replyReview:center:1').deadline).toBe(iso('2026-03-13', '10:00')); // 1 working day (assumed by 004's profile)
    wo.tick(t('2026-03-13', '10:00'));
    expect(clock(wo, 'replyReview:center:1').status).toBe('missed');
    const out = wo.drain();
    expect(out.notifications.at(-1)).toMatchObject({ kind: 'escalation', recipients: [{ audience: 'supervisors' }] });
    expect(out.supervisionOpens).toEqual([]);
    act(wo, 'replyReview', { actor: center, accepted: true, reason: '合规' }, t('2026-03-13', '11:00'));
    expect(clock(wo, 'callback:center:1').deadline).toBe(iso('2026-03-17', '11:00')); // 2 working days
    // Three unreached callbacks close it unrated (the profile's attempts).
    for (const time of ['11:10', '14:10', '16:10']) {
      act(wo, 'callback', { actor: center, ...callback('satisfied', { reached: false }) }, t('2026-03-13', time));
    }
    expect(wo.state).toMatchObject({ stage: 'closed', closeReason: 'caller not reached at callback after 3 attempts' });
    expect(clock(wo, 'callback:center:1').status).toBe('met');
  });

  it('callback unsatisfied → re-handling with its own window; twice in a row escalates (004 第十九条)', () => {
    const wo = handled();
    for (let round = 1; round <= 2; round++) {
      const day = `2026-03-1${round + 1}`;
      act(wo, 'reply', { actor: A, ...reply(iso('2026-03-10', '10:00')) }, t(day, '10:00'));
      act(wo, 'replyReview', { actor: center, accepted: true, reason: '合规' }, t(day, '10:30'));
      act(wo, 'callback', { actor: center, ...callback('unsatisfied') }, t(day, '11:00'));
      expect(wo.state).toMatchObject({ stage: 'handling', reHandleCount: round, consecutiveReHandles: round });
      expect(clock(wo, `reHandle:unit-a:${round}`).deadline).toBe(new WorkingCalendar(calendarData).addWorkingDays(t(day, '11:00'), 3).toISOString());
    }
    expect(wo.state.escalations.map((e) => [e.trigger, e.kind])).toEqual([['repeatedReHandle', 'supervise']]);
    // The re-handling window missed: urged before, escalated one step up at its deadline.
    const due = clock(wo, 'reHandle:unit-a:2');
    wo.tick(Date.parse(due.deadline));
    expect(due.status).toBe('missed');
    expect(wo.state.escalations.filter((e) => e.clockId === due.id).map((e) => [e.kind, e.dueAt])).toEqual([
      ...due.urgeAt.map((u) => ['urge', u]),
      ['coordinationMeeting', due.deadline],
    ]);
  });

  it('a co-unit may not reply; another unit may not act; a unit may not review', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { coUnitIds: ['unit-c'] } }), start);
    act(wo, 'sign', { actor: C }, t('2026-03-10', '09:10'));
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:20'));
    expect(refusal(() => wo.check('reply', { actor: C, ...reply(iso('2026-03-10', '10:00')) }, t('2026-03-10', '10:00')))).toBe('NOT_MAIN_UNIT');
    expect(refusal(() => wo.check('sign', { actor: unitUser('unit-z') }, t('2026-03-10', '10:00')))).toBe('NOT_ASSIGNED_UNIT');
    expect(refusal(() => wo.check('sign', { actor: A }, t('2026-03-10', '10:00')))).toBe('WRONG_STAGE');
    expect(refusal(() => wo.check('returnReview', { actor: A, approved: true, reason: 'x' }, t('2026-03-10', '10:00')))).toBe('ROLE_NOT_ALLOWED');
    expect(refusal(() => wo.check('sign', { actor: center }, t('2026-03-10', '10:00')))).toBe('ROLE_NOT_ALLOWED');
    expect(refusal(() => wo.check('extensionRequest', { actor: A, workingDays: -1, reason: 'x' }, t('2026-03-10', '10:00')))).toBe('INVALID_INPUT');
    expect(refusal(() => wo.check('sign', { note: 'no actor' }, t('2026-03-10', '10:00')))).toBe('INVALID_INPUT');
  });

  it('first contact: unreachable attempts must be 1 hour apart; three of them count as done', () => {
    const wo = WorkOrderLifecycle.create(input(), start);
    expect(refusal(() => wo.check('contact', { actor: A, reached: false, person: '李四' }, t('2026-03-10', '09:10')))).toBe('UNIT_NOT_SIGNED');
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:10'));
    act(wo, 'contact', { actor: A, reached: false, person: '李四' }, t('2026-03-10', '09:15'));
    expect(refusal(() => act(wo, 'contact', { actor: A, reached: false, person: '李四' }, t('2026-03-10', '10:00')))).toBe('CONTACT_ATTEMPT_TOO_SOON');
    act(wo, 'contact', { actor: A, reached: false, person: '李四' }, t('2026-03-10', '10:15'));
    expect(clock(wo, 'firstContact:unit-a:1').status).toBe('pending');
    act(wo, 'contact', { actor: A, reached: false, person: '李四' }, t('2026-03-10', '11:15'));
    expect(clock(wo, 'firstContact:unit-a:1')).toMatchObject({ status: 'met', doneAt: iso('2026-03-10', '11:15'), metAt: iso('2026-03-10', '11:15') });
  });
});

describe('expert evaluation (002)', () => {
  it('reminded 24 hours after assignment, auto-withdrawn after 2 working days: the unit re-handles', () => {
    const wo = WorkOrderLifecycle.create(input({ profile: 'city-002' }), t('2026-03-10', '09:00'));
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:10'));
    act(wo, 'reply', { actor: A, ...reply(iso('2026-03-10', '10:00')) }, t('2026-03-13', '10:00'));
    act(wo, 'replyReview', { actor: center, accepted: true, reason: '合规' }, t('2026-03-13', '10:30'));
    act(wo, 'callback', { actor: center, ...callback('unsatisfied', { requestExpertEvaluation: true }) }, t('2026-03-16', '10:00'));
    expect(wo.state.stage).toBe('expertEvaluation');
    expect(wo.state.expertEvaluations[0]).toMatchObject({ deadline: iso('2026-03-18', '10:00'), reminderAt: iso('2026-03-17', '10:00') });
    wo.tick(t('2026-03-17', '09:59'));
    expect(wo.state.timeline.some((e) => e.type === 'expertReminder')).toBe(false);
    wo.tick(t('2026-03-17', '10:00'));
    expect(wo.state.timeline.at(-1)?.type).toBe('expertReminder');
    wo.tick(t('2026-03-18', '10:00'));
    expect(wo.state.expertEvaluations[0].status).toBe('autoWithdrawn');
    expect(wo.state).toMatchObject({ stage: 'handling', reHandleCount: 1 });
    expect(refusal(() => wo.check('expertRuling', { actor: center, ruling: 'upheld', reason: '迟到' }, t('2026-03-18', '10:05')))).toBe('WRONG_STAGE');
  });

  it('a ruling that overturns the rating closes the work order (final, 002 三(六))', () => {
    const wo = WorkOrderLifecycle.create(input({ profile: 'city-002' }), t('2026-03-10', '09:00'));
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:10'));
    act(wo, 'reply', { actor: A, ...reply(iso('2026-03-10', '10:00')) }, t('2026-03-13', '10:00'));
    act(wo, 'replyReview', { actor: center, accepted: true, reason: '合规' }, t('2026-03-13', '10:30'));
    act(wo, 'callback', { actor: center, ...callback('unsatisfied', { requestExpertEvaluation: true }) }, t('2026-03-16', '10:00'));
    act(wo, 'expertRuling', { actor: supervisor, ruling: 'overturned', reason: '诉求过高' }, t('2026-03-16', '15:00'));
    expect(wo.state.stage).toBe('closed');
  });

  it('a ruling that upholds the rating sends it back for re-handling', () => {
    const wo = WorkOrderLifecycle.create(input({ profile: 'city-002' }), t('2026-03-10', '09:00'));
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:10'));
    act(wo, 'reply', { actor: A, ...reply(iso('2026-03-10', '10:00')) }, t('2026-03-13', '10:00'));
    act(wo, 'replyReview', { actor: center, accepted: true, reason: '合规' }, t('2026-03-13', '10:30'));
    act(wo, 'callback', { actor: center, ...callback('unsatisfied', { requestExpertEvaluation: true }) }, t('2026-03-16', '10:00'));
    act(wo, 'expertRuling', { actor: center, ruling: 'upheld', reason: '办理不力' }, t('2026-03-17', '15:00'));
    expect(wo.state).toMatchObject({ stage: 'handling', reHandleCount: 1 });
    expect(wo.state.expertEvaluations[0]).toMatchObject({ status: 'ruled', ruling: 'upheld', ruledBy: 'c1' });
    expect(clock(wo, 'expertEvaluation:center:1').status).toBe('met');
    expect(refusal(() => wo.check('expertRuling', { actor: A, ruling: 'upheld', reason: 'x' }, t('2026-03-17', '15:05')))).toBe('ROLE_NOT_ALLOWED');
  });

  it('not available under a profile without evaluators', () => {
    const wo = WorkOrderLifecycle.create(input(), t('2026-03-10', '09:00'));
    act(wo, 'sign', { actor: A }, t('2026-03-10', '09:10'));
    act(wo, 'reply', { actor: A, ...reply(iso('2026-03-10', '10:00')) }, t('2026-03-13', '10:00'));
    act(wo, 'replyReview', { actor: center, accepted: true, reason: '合规' }, t('2026-03-13', '10:30'));
    expect(refusal(() => wo.check('callback', { actor: center, ...callback('unsatisfied', { requestExpertEvaluation: true }) }, t('2026-03-16', '10:00')))).toBe('INVALID_INPUT');
  });
});

describe('urgent outside office hours (003 第七条(三))', () => {
  it('sign at once (30 minutes) and report back within 4 natural hours', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { urgency: 'urgent', category: 'help' } }), t('2026-03-07', '22:00')); // Saturday night
    expect(clock(wo, 'sign:unit-a:1').deadline).toBe(iso('2026-03-07', '22:30'));
    expect(clock(wo, 'urgentReport:unit-a:1').deadline).toBe(iso('2026-03-08', '02:00'));
    act(wo, 'sign', { actor: A }, t('2026-03-07', '22:10'));
    act(wo, 'contact', { actor: A, reached: true, person: '值班员' }, t('2026-03-07', '23:00'));
    expect(clock(wo, 'urgentReport:unit-a:1').status).toBe('met');
  });

  it('no report within 4 hours: missed at 02:00 and escalated', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { urgency: 'urgent', category: 'help' } }), t('2026-03-07', '22:00'));
    act(wo, 'sign', { actor: A }, t('2026-03-07', '22:10'));
    wo.tick(t('2026-03-08', '02:00'));
    expect(clock(wo, 'urgentReport:unit-a:1').status).toBe('missed');
    expect(wo.state.escalations.map((e) => [e.clockId, e.kind, e.dueAt])).toEqual([['urgentReport:unit-a:1', 'supervise', iso('2026-03-08', '02:00')]]);
  });

  it('inside office hours an urgent one has no 4-hour report clock', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { urgency: 'urgent', category: 'help' } }), t('2026-03-09', '10:00'));
    expect(wo.state.clocks.some((c) => c.name === 'urgentReport')).toBe(false);
    expect(clock(wo, 'completion:unit-a:1').deadline).toBe(iso('2026-03-16', '10:00')); // 004: 5 working days (no urgent-help rule)
  });
});

describe('withdrawal, manual 督办, terminal stages', () => {
  it('withdrawn at any open stage; open 督办 records are closed; then everything is refused', () => {
    const wo = WorkOrderLifecycle.create(input(), t('2026-03-10', '09:00'));
    wo.tick(t('2026-03-10', '12:00')); // sign and first contact missed
    expect(wo.snapshot().overdue).toBe(true);
    wo.drain();
    act(wo, 'supervise', { actor: supervisor, reason: '媒体曝光', trigger: 'media' }, t('2026-03-10', '12:30'));
    expect(wo.state.escalations.at(-1)).toMatchObject({ kind: 'supervise', trigger: 'media', by: 's1' });
    expect(wo.drain().supervisionOpens).toHaveLength(1);
    act(wo, 'withdraw', { actor: center, reason: '市民来电称已解决' }, t('2026-03-10', '13:00'));
    expect(wo.state.stage).toBe('withdrawn');
    expect(wo.state.clocks.every((c) => c.status !== 'pending')).toBe(true);
    expect(wo.snapshot()).toMatchObject({ overdue: false, nextDeadline: undefined });
    expect(wo.nextWakeAt()).toBeUndefined();
    const out = wo.drain();
    expect(out.supervisionCloses).toHaveLength(1);
    expect(out.notifications.map((n) => n.kind)).toEqual(['withdrawn']);
    for (const action of ['sign', 'withdraw', 'supervise', 'callback'] as const) {
      expect(refusal(() => wo.check(action, { actor: center, reason: 'x' }, t('2026-03-10', '13:05')))).toBe('WORK_ORDER_CLOSED');
    }
  });

  it('notifications never carry the caller name or phone', () => {
    const wo = WorkOrderLifecycle.create(input({ intake: { category: 'report' } }), t('2026-03-10', '09:00'));
    expect(wo.state.confidential).toBe(true);
    const text = JSON.stringify(wo.drain().notifications);
    expect(text).toContain('unit-a');
    expect(text).not.toContain('13800000000');
    expect(text).not.toContain('张三');
  });
});
