/**
 * Issue 12: the rules as the five seeds write them, on the lifecycle (without Temporal) and on
 * the facts the scores are computed from (api/reports/facts.ts). Each test names its clause and
 * failed before the change it covers. The real 2026 calendar: office hours 08:30–12:00, 14:00–17:30.
 */
import { ApplicationFailure } from '@temporalio/common';
import { unitFacts } from '../../api/reports/facts';
import { resolveProfile, shippedProfiles, type ProfileId } from '../../domain/profile';
import { scoreUnits } from '../../domain/scoring';
import { WorkOrderLifecycle, type ActionName } from '../../workflows/lifecycle';
import { RULES_VERSION, type WorkOrderInput } from '../../workflows/types';
import { callback, center, input, iso, reply, supervisor, t, unitUser } from './fixtures';

const A = unitUser('unit-a');
const B = unitUser('unit-b');
const evaluator = { userId: 'e1', role: 'evaluator' as const };

/** A work order under the current rules, dispatched to unit-a (main) and unit-b (co). */
function rules2(profile: ProfileId, extra: Partial<WorkOrderInput> = {}, intake: Record<string, unknown> = {}): WorkOrderInput {
  return { ...input({ profile, intake: { coUnitIds: ['unit-b'], ...intake } }), rulesVersion: RULES_VERSION, ...extra };
}

function refusal(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApplicationFailure) return error.type ?? 'untyped';
    throw error;
  }
  return undefined;
}

function act(wo: WorkOrderLifecycle, action: ActionName, body: Record<string, unknown>, at: number): void {
  wo.tick(at - 1);
  wo.apply(action, body, at);
}

const created = t('2026-03-02', '09:00'); // Monday

/** Signed, contacted and replied at `repliedAt`, accepted, called back with `cb`. */
function handled(wo: WorkOrderLifecycle, repliedAt: number, cb: Record<string, unknown>): void {
  act(wo, 'sign', { actor: A }, created + 10 * 60_000);
  act(wo, 'sign', { actor: B }, created + 20 * 60_000);
  act(wo, 'contact', { actor: A, reached: true, person: '王五' }, created + 30 * 60_000);
  act(wo, 'reply', { actor: A, ...reply(iso('2026-03-02', '09:30')) }, repliedAt);
  act(wo, 'replyReview', { actor: center, accepted: true, reason: '答复规范' }, repliedAt + 60 * 60_000);
  act(wo, 'callback', { actor: center, ...cb }, repliedAt + 2 * 60 * 60_000);
}

const factsOf = (wo: WorkOrderLifecycle, unitId: string) => unitFacts(wo.state).find((f) => f.unitId === unitId)!;

describe('scores from the work order (api/reports/facts.ts)', () => {
  it('主协办同责 (003 附件2): the co-unit shares the late reply of the main unit', () => {
    // 004: 5 working days → due Mon 03-09 09:00; replied Tue 03-10 10:00 (late).
    const wo = WorkOrderLifecycle.create(rules2('jingchuan-004'), created);
    handled(wo, t('2026-03-10', '10:00'), callback('satisfied'));
    expect(wo.state.stage).toBe('closed');
    const b = factsOf(wo, 'unit-b');
    expect(b.completionDeadline).toBe(iso('2026-03-09', '09:00'));
    expect(b.repliedAt).toBe(iso('2026-03-10', '10:00'));
    const scores = Object.fromEntries(scoreUnits('2026-03', unitFacts(wo.state), shippedProfiles['jingchuan-004'].scoring).map((s) => [s.unitId, s]));
    // Before: the co-unit had no completion deadline and scored 25 for timeliness (nothing due).
    expect(scores['unit-b'].rates.onTimeCompletion).toBe(0);
    expect(scores['unit-b'].breakdown.onTimeCompletion).toBe(0);
    // …but its own signing stays its own: signed 09:20, in time.
    expect(scores['unit-b'].rates.onTimeSign).toBe(1);
  });

  it('003 诉求解决率 comes from the citizen (市民测评), not from the reply result type', () => {
    const wo = WorkOrderLifecycle.create(rules2('nanmatou-003'), created);
    act(wo, 'preBrief', { actor: center, reached: true }, created + 60_000);
    // The unit replies 实际解决; the citizen says 参考备案 (70 of 100).
    handled(wo, t('2026-03-03', '10:00'), callback('satisfied', { citizenResultType: 'notedForReference' }));
    const [a] = scoreUnits('2026-03', unitFacts(wo.state).filter((f) => f.unitId === 'unit-a'), shippedProfiles['nanmatou-003'].scoring);
    // 30 · 70/100 = 21 (before: 30 from the reply's 实际解决).
    expect(a.breakdown.resolution).toBe(21);
  });

  it('000 附件2 四.2: a return after the 2-working-day window is accepted and scored −0.5; rejected as within duty, 四.6 −1', () => {
    // Received Mon 09:00; 附件2 四.2 须在2个工作日内退回 → closes Wed 03-04 09:00.
    const wo = WorkOrderLifecycle.create(rules2('lushan-000', {}, { coUnitIds: [] }), created);
    expect(wo.state.clocks.find((c) => c.id === 'return:unit-a:1')!.deadline).toBe(iso('2026-03-04', '09:00'));
    act(wo, 'sign', { actor: A }, created + 60_000);
    // Before: RETURN_WINDOW_CLOSED.
    act(wo, 'returnRequest', { actor: A, reason: '不属于本单位职责' }, t('2026-03-05', '10:00'));
    expect(wo.state.returns[0]).toMatchObject({ late: true, status: 'pending' });
    act(wo, 'returnReview', { actor: center, approved: false, reason: '属于本单位职责' }, t('2026-03-05', '11:00'));
    expect(wo.state.returns[0]).toMatchObject({ status: 'rejected', withinDuty: true });
    const f = factsOf(wo, 'unit-a');
    expect([f.returnedLate, f.returnedWithinDuty]).toEqual([true, true]);
    const [u] = scoreUnits('2026-03', [f], shippedProfiles['lushan-000'].scoring, { asOf: '2026-03-05T12:00:00+08:00' });
    expect(u.breakdown.returnHandling).toBe(3.5); // 4 − 0.5
    expect(u.breakdown.rehandling).toBe(5); // 6 − 1
  });

  it('a profile that refuses late returns still refuses them (003 第八条(三))', () => {
    const wo = WorkOrderLifecycle.create(rules2('jingchuan-004'), created);
    expect(refusal(() => wo.check('returnRequest', { actor: A, reason: '不属于本单位职责' }, t('2026-03-05', '10:00')))).toBe('RETURN_WINDOW_CLOSED');
  });

  it('000 附件2 五.3 counts a failure after the 督办 notice, not the overdue that opened it', () => {
    // Unsigned: sign (1 working day) missed Tue 03-03 09:00 → 督办 opened then. Completion (7
    // working days → Wed 03-11 09:00) then passes too: a failure after the 督办.
    const wo = WorkOrderLifecycle.create(rules2('lushan-000', {}, { coUnitIds: [] }), created);
    wo.tick(t('2026-03-03', '09:00'));
    expect(wo.state.escalations.filter((e) => e.kind !== 'urge').length).toBeGreaterThan(0);
    expect(factsOf(wo, 'unit-a').missedAfterSupervision).toEqual([]);
    wo.tick(t('2026-03-11', '09:00'));
    expect(factsOf(wo, 'unit-a').missedAfterSupervision).toEqual([iso('2026-03-11', '09:00')]);
    const [u] = scoreUnits('2026-03', [factsOf(wo, 'unit-a')], shippedProfiles['lushan-000'].scoring, { asOf: '2026-03-11T12:00:00+08:00' });
    expect(u.counts.events.supervisedStillOverdue).toBe(1);
    expect(u.counts.events.overdue).toBe(1);
  });

  it('002 三(五)3, 三(六): the evaluator grades with a reason; the grade is final and counts in the satisfaction rate', () => {
    const wo = WorkOrderLifecycle.create(rules2('city-002'), created);
    handled(wo, t('2026-03-03', '10:00'), callback('unsatisfied', { requestExpertEvaluation: true }));
    expect(wo.state.stage).toBe('expertEvaluation');
    // 三(一): evaluators are their own people, not center staff or supervisors.
    expect(refusal(() => wo.check('expertRuling', { actor: center, grade: 'satisfied', reason: '办理规范' }, t('2026-03-04', '09:00')))).toBe('ROLE_NOT_ALLOWED');
    expect(refusal(() => wo.check('expertRuling', { actor: supervisor, grade: 'satisfied', reason: '办理规范' }, t('2026-03-04', '09:00')))).toBe('ROLE_NOT_ALLOWED');
    expect(refusal(() => wo.check('expertRuling', { actor: evaluator, reason: '办理规范' }, t('2026-03-04', '09:00')))).toBe('INVALID_INPUT');
    act(wo, 'expertRuling', { actor: evaluator, grade: 'basicallySatisfied', reason: '诉求已按政策答复' }, t('2026-03-04', '09:00'));
    expect(wo.state.stage).toBe('closed');
    const f = factsOf(wo, 'unit-a');
    // Before: the overturned rating dropped out of the rates (satisfaction null).
    expect(f.satisfaction).toBe('basicallySatisfied');
    const [a] = scoreUnits('2026-03', [f], shippedProfiles['city-002'].scoring);
    expect(a.counts.rated).toBe(1);
    expect(a.rates.satisfaction).toBe(1);
  });

  it('002: an evaluator grading 不满意 sends it back for re-handling, and the 不满意 counts', () => {
    const wo = WorkOrderLifecycle.create(rules2('city-002'), created);
    handled(wo, t('2026-03-03', '10:00'), callback('unsatisfied', { requestExpertEvaluation: true }));
    act(wo, 'expertRuling', { actor: evaluator, grade: 'unsatisfied', reason: '未履行职责' }, t('2026-03-04', '09:00'));
    expect(wo.state.stage).toBe('handling');
    expect(wo.state.expertEvaluations[0]).toMatchObject({ grade: 'unsatisfied', reason: '未履行职责', ruledBy: 'e1' });
  });

  it('000 附件2 四.4: an approved extension told to the citizen is recorded with its text; one not told is scored −1', () => {
    const told = WorkOrderLifecycle.create(rules2('lushan-000', {}, { coUnitIds: [] }), created);
    act(told, 'sign', { actor: A }, created + 60_000);
    act(told, 'extensionRequest', { actor: A, workingDays: 3, reason: '需协调多部门', citizenNotice: '您反映的问题需协调多部门, 办理时限延长3个工作日' }, created + 2 * 60_000);
    act(told, 'extensionReview', { actor: center, approved: true, reason: '同意' }, created + 3 * 60_000);
    const notice = told.state.timeline.find((e) => e.type === 'citizenNotified');
    expect(notice?.detail).toMatchObject({ about: 'extension', text: '您反映的问题需协调多部门, 办理时限延长3个工作日' });
    expect(factsOf(told, 'unit-a').extensionNotNotified).toBe(false);

    const silent = WorkOrderLifecycle.create(rules2('lushan-000', {}, { coUnitIds: [] }), created);
    act(silent, 'sign', { actor: A }, created + 60_000);
    act(silent, 'extensionRequest', { actor: A, workingDays: 3, reason: '需协调多部门' }, created + 2 * 60_000);
    act(silent, 'extensionReview', { actor: center, approved: true, reason: '同意' }, created + 3 * 60_000);
    const [u] = scoreUnits('2026-03', [factsOf(silent, 'unit-a')], shippedProfiles['lushan-000'].scoring, { asOf: '2026-03-02T12:00:00+08:00' });
    expect(u.breakdown.extension).toBe(5); // 6 − 1
  });
});

describe('the lifecycle', () => {
  it('003 第五条(四): 未先联 sends the work order back like 未解决 and 不满意', () => {
    const wo = WorkOrderLifecycle.create(rules2('nanmatou-003'), created);
    act(wo, 'preBrief', { actor: center, reached: true }, created + 60_000);
    handled(wo, t('2026-03-03', '10:00'), callback('satisfied', { contactedFirst: false }));
    // Before: closed.
    expect(wo.state.stage).toBe('handling');
    expect(wo.state.callbacks[0].outcome).toBe('reHandle');
    // 004 has no such rule: 未先联 alone closes it.
    const j = WorkOrderLifecycle.create(rules2('jingchuan-004'), created);
    handled(j, t('2026-03-03', '10:00'), callback('satisfied', { contactedFirst: false }));
    expect(j.state.stage).toBe('closed');
  });

  it('satisfaction grades are profile data: 004 第十八条 has 非常不满意, 003 has not', () => {
    const j = WorkOrderLifecycle.create(rules2('jingchuan-004'), created);
    handled(j, t('2026-03-03', '10:00'), callback('veryUnsatisfied'));
    expect(j.state.stage).toBe('handling'); // re-handled like 不满意
    expect(j.state.callbacks[0]).toMatchObject({ satisfaction: 'veryUnsatisfied', outcome: 'reHandle' });
    const n = WorkOrderLifecycle.create(rules2('nanmatou-003', {}, { coUnitIds: [] }), created);
    act(n, 'preBrief', { actor: center, reached: true }, created + 60_000); // dispatched to unit-a on the intake
    act(n, 'sign', { actor: A }, created + 10 * 60_000);
    act(n, 'reply', { actor: A, ...reply(iso('2026-03-02', '09:30')) }, created + 60 * 60_000);
    act(n, 'replyReview', { actor: center, accepted: true, reason: '答复规范' }, created + 70 * 60_000);
    expect(refusal(() => n.check('callback', { actor: center, ...callback('veryUnsatisfied') }, created + 80 * 60_000))).toBe('INVALID_INPUT');
  });

  it('督办 (004 第十二条(二)): two clocks missed in the same minute open one level; the next only after a further failure', () => {
    // Unsigned: sign and first contact (3 working hours) both pass Mon 12:00.
    const wo = WorkOrderLifecycle.create(rules2('jingchuan-004', {}, { coUnitIds: [] }), created);
    wo.tick(t('2026-03-02', '12:00'));
    const levels = () => wo.state.escalations.filter((e) => e.kind !== 'urge').map((e) => [e.clockId, e.kind]);
    // Before: supervise, then coordinationMeeting for the second clock of the same minute.
    expect(levels()).toEqual([
      ['sign:unit-a:1', 'supervise'],
      ['firstContact:unit-a:1', 'supervise'],
    ]);
    // The completion deadline (Mon 03-09 09:00) passes after the 督办 opened: one rung up.
    wo.tick(t('2026-03-09', '09:00'));
    expect(levels().at(-1)).toEqual(['completion:unit-a:1', 'coordinationMeeting']);
    // A manual 督办 chooses its method and level.
    act(wo, 'supervise', { actor: supervisor, reason: '现场协调', method: 'meeting', level: 'coordinationMeeting' }, t('2026-03-09', '10:00'));
    expect(wo.state.escalations.at(-1)).toMatchObject({ kind: 'coordinationMeeting', method: 'meeting', by: 's1' });
    expect(refusal(() => wo.check('supervise', { actor: supervisor, reason: 'x', level: 'urge' }, t('2026-03-09', '10:00')))).toBe('INVALID_INPUT');
  });

  it('001 三(三): 督办 after two urges without result, not at the first missed deadline', () => {
    // 001: sign within 1 working day → Tue 03-03 09:00, urged once before it (1 working hour).
    const make = () => WorkOrderLifecycle.create(rules2('kaifeng-001', {}, { coUnitIds: [] }), created);
    const wo = make();
    const sign = () => wo.state.escalations.filter((e) => e.clockId === 'sign:unit-a:1').map((e) => [e.kind, e.trigger]);
    wo.tick(t('2026-03-03', '09:00'));
    // Before: 督办 at the deadline. Now the second 催办.
    expect(sign()).toEqual([
      ['urge', 'urgePoint'],
      ['urge', 'overdueUrge'],
    ]);
    wo.tick(t('2026-03-04', '08:59'));
    expect(sign()).toHaveLength(2);
    wo.tick(t('2026-03-04', '09:00')); // 1 working day after the second 催办: still not signed
    expect(sign().at(-1)).toEqual(['supervise', 'urgedWithoutResult']);
    // Signed after the second 催办: no 督办.
    const answered = make();
    answered.tick(t('2026-03-03', '09:00'));
    act(answered, 'sign', { actor: A }, t('2026-03-03', '10:00'));
    answered.tick(t('2026-03-04', '09:00'));
    expect(answered.state.escalations.some((e) => e.clockId === 'sign:unit-a:1' && e.kind !== 'urge')).toBe(false);
  });

  it('004 第十一条(一)4 caps all extensions together at the original limit; 000 附件1 五.2 has a 3-day minimum', () => {
    const twice = resolveProfile(shippedProfiles['jingchuan-004'], { extension: { maxCount: 2 } });
    const wo = WorkOrderLifecycle.create({ ...rules2('jingchuan-004', {}, { coUnitIds: [] }), profile: twice }, created);
    act(wo, 'sign', { actor: A }, created + 60_000);
    act(wo, 'extensionRequest', { actor: A, workingDays: 3, reason: '需协调' }, created + 2 * 60_000);
    act(wo, 'extensionReview', { actor: center, approved: true, reason: '同意' }, created + 3 * 60_000);
    // 3 + 3 > 5 (the original limit): before, each was checked alone.
    expect(refusal(() => wo.check('extensionRequest', { actor: A, workingDays: 3, reason: '仍需协调' }, created + 4 * 60_000))).toBe('EXTENSION_TOO_LONG');
    expect(refusal(() => wo.check('extensionRequest', { actor: A, workingDays: 2, reason: '仍需协调' }, created + 4 * 60_000))).toBeUndefined();

    const l = WorkOrderLifecycle.create(rules2('lushan-000', {}, { coUnitIds: [] }), created);
    act(l, 'sign', { actor: A }, created + 60_000);
    expect(refusal(() => l.check('extensionRequest', { actor: A, workingDays: 2, reason: '需协调' }, created + 2 * 60_000))).toBe('EXTENSION_TOO_SHORT');
    expect(refusal(() => l.check('extensionRequest', { actor: A, workingDays: 3, reason: '需协调' }, created + 2 * 60_000))).toBeUndefined();
  });

  it('an unsigned order gets no extra return time: the window runs from receipt (003 第八条(三))', () => {
    // 003: return within 1 working day of signing; received Mon 09:00, sign deadline Tue 09:00.
    const make = (rulesVersion?: number) => {
      const wo = WorkOrderLifecycle.create({ ...input({ profile: 'nanmatou-003', intake: { mainUnitId: undefined } }), rulesVersion }, created);
      act(wo, 'preBrief', { actor: center, reached: true }, created);
      act(wo, 'dispatch', { actor: center, mainUnitId: 'unit-a', coUnitIds: [] }, created);
      return wo;
    };
    // Rules 1 (recorded histories): from the sign deadline, Wed 09:00.
    expect(make(undefined).state.clocks.find((c) => c.name === 'return')!.deadline).toBe(iso('2026-03-04', '09:00'));
    const wo = make(RULES_VERSION);
    expect(wo.state.clocks.find((c) => c.name === 'return')!.deadline).toBe(iso('2026-03-03', '09:00'));
    const form = { reason: '不属于本单位职责', suggestedUnitId: 'unit-c', approvedBy: '部门负责人 陈' };
    expect(refusal(() => wo.check('returnRequest', { actor: A, ...form }, t('2026-03-03', '10:00')))).toBe('RETURN_WINDOW_CLOSED');
    expect(refusal(() => wo.check('returnRequest', { actor: A, ...form }, t('2026-03-03', '08:59')))).toBeUndefined();
  });

  it('003 第八条(三) 退单审核表 and 第八条(八)1 reply fields are required by the 003 profile; 不属实 needs its explanation', () => {
    const wo = WorkOrderLifecycle.create(rules2('nanmatou-003', {}, { coUnitIds: [] }), created);
    act(wo, 'preBrief', { actor: center, reached: true }, created);
    act(wo, 'sign', { actor: A }, created + 60_000);
    const at = created + 2 * 60_000;
    expect(refusal(() => wo.check('returnRequest', { actor: A, reason: '不属于本单位职责' }, at))).toBe('INVALID_INPUT');
    act(wo, 'returnRequest', { actor: A, reason: '不属于本单位职责', suggestedUnitId: 'unit-c', approvedBy: '部门负责人 陈' }, at);
    expect(wo.state.returns[0]).toMatchObject({ suggestedUnitId: 'unit-c', approvedBy: '部门负责人 陈' });
    act(wo, 'returnReview', { actor: center, approved: false, reason: '属于本单位职责' }, at + 60_000);
    const { siteCheck: _s, ...withoutSiteCheck } = reply(iso('2026-03-02', '09:30'));
    expect(refusal(() => wo.check('reply', { actor: A, ...withoutSiteCheck }, at + 2 * 60_000))).toBe('INVALID_INPUT');
    expect(refusal(() => wo.check('reply', { actor: A, ...reply(iso('2026-03-02', '09:30')), factFinding: 'untrue' }, at + 2 * 60_000))).toBe('INVALID_INPUT');
    act(wo, 'reply', { actor: A, ...reply(iso('2026-03-02', '09:30')), factFinding: 'untrue', untrueExplanation: '现场核查无此情况, 附照片' }, at + 2 * 60_000);
    expect(wo.state.replies[0]).toMatchObject({ siteCheck: '现场核实路灯不亮属实', demandFinding: '诉求合理', responder: '李四', factFinding: 'untrue' });
    // 004 does not require the 003 forms.
    const j = WorkOrderLifecycle.create(rules2('jingchuan-004', {}, { coUnitIds: [] }), created);
    expect(refusal(() => j.check('returnRequest', { actor: A, reason: '不属于本单位职责' }, created + 60_000))).toBeUndefined();
  });

  it('deadlines keep the second they start at: 09:59:59 + 3 working hours = 14:59:59 (004)', () => {
    const at = t('2026-03-02', '09:59') + 59_000 + 640; // 09:59:59.640
    const wo = WorkOrderLifecycle.create(rules2('jingchuan-004', {}, { coUnitIds: [] }), at);
    // 09:59:59 → 12:00 is 2:00:01; the remaining 0:59:59 from 14:00. Rules 1 dropped the seconds (14:59).
    expect(wo.state.clocks.find((c) => c.id === 'sign:unit-a:1')!.deadline).toBe(new Date(t('2026-03-02', '14:59') + 59_000).toISOString());
    const old = WorkOrderLifecycle.create({ ...rules2('jingchuan-004', {}, { coUnitIds: [] }), rulesVersion: undefined }, at);
    expect(old.state.clocks.find((c) => c.id === 'sign:unit-a:1')!.deadline).toBe(iso('2026-03-02', '14:59'));
  });

  it('003 第八条(一): where there is a site, the unit is on site within 1 working day, urged and escalated like the others', () => {
    const make = () => {
      const wo = WorkOrderLifecycle.create(rules2('nanmatou-003', {}, { coUnitIds: [], hasSite: true }), created);
      act(wo, 'preBrief', { actor: center, reached: true }, created);
      return wo;
    };
    const visited = make();
    const clock = () => visited.state.clocks.find((c) => c.name === 'siteVisit');
    expect(clock()?.deadline).toBe(iso('2026-03-03', '09:00'));
    act(visited, 'sign', { actor: A }, created + 60_000);
    act(visited, 'contact', { actor: A, reached: true, method: 'visit', person: '王五' }, t('2026-03-02', '15:00'));
    expect(clock()?.status).toBe('met');
    const missed = make();
    missed.tick(t('2026-03-03', '09:00'));
    expect(missed.state.escalations.some((e) => e.clockId === 'siteVisit:unit-a:1' && e.kind === 'urge')).toBe(true);
    expect(missed.state.escalations.some((e) => e.clockId === 'siteVisit:unit-a:1' && e.kind === 'supervise')).toBe(true);
    // No site, or a profile without the rule (004): no such clock.
    expect(WorkOrderLifecycle.create(rules2('jingchuan-004', {}, { hasSite: true }), created).state.clocks.some((c) => c.name === 'siteVisit')).toBe(false);
  });

  it('repeated calls and complaints are accepted as a trigger and read against the profile (003 第八条(九)3(3), 004 第十九条(一))', () => {
    const wo = WorkOrderLifecycle.create(rules2('jingchuan-004', {}, { coUnitIds: [] }), created);
    const at = created + 60_000;
    expect(refusal(() => wo.check('supervise', { actor: supervisor, reason: '重复来电', trigger: 'repeatCaller', repeatCount: 4 }, at))).toBe('INVALID_INPUT');
    expect(refusal(() => wo.check('supervise', { actor: supervisor, reason: '重复投诉', trigger: 'repeatComplaints', repeatCount: 2 }, at))).toBe('INVALID_INPUT');
    act(wo, 'supervise', { actor: supervisor, reason: '同一诉求第3次投诉', trigger: 'repeatComplaints', repeatCount: 3 }, at);
    // 004's top rung (会议协调) for 追责.
    expect(wo.state.escalations.at(-1)).toMatchObject({ trigger: 'repeatComplaints', kind: 'coordinationMeeting' });
  });

  it('a work order started before issue 12 (no rules version, profile without the new fields) runs as it did', () => {
    const profile = JSON.parse(JSON.stringify(shippedProfiles['nanmatou-003']));
    delete profile.return.late;
    delete profile.callback.reHandleWhenNotContactedFirst;
    delete profile.satisfactionGrades;
    delete profile.requiredFields;
    const old = { ...input({ profile: 'nanmatou-003', intake: { hasSite: true } }), profile };
    const wo = WorkOrderLifecycle.create(old, created);
    act(wo, 'preBrief', { actor: center, reached: true }, created);
    expect(wo.state.clocks.some((c) => c.name === 'siteVisit')).toBe(false);
    act(wo, 'sign', { actor: A }, created + 60_000);
    const { siteCheck: _s, demandFinding: _d, responder: _r, ...plainReply } = reply(iso('2026-03-02', '09:30'));
    act(wo, 'reply', { actor: A, ...plainReply }, created + 2 * 60_000);
    act(wo, 'replyReview', { actor: center, accepted: true, reason: '答复规范' }, created + 3 * 60_000);
    act(wo, 'callback', { actor: center, ...callback('satisfied', { contactedFirst: false }) }, created + 4 * 60_000);
    expect(wo.state.stage).toBe('closed');
  });

  it('a caller who asks for confidentiality is confidential in any category (003 第十四条)', () => {
    expect(WorkOrderLifecycle.create(rules2('jingchuan-004', {}, { confidential: true }), created).state.confidential).toBe(true);
    expect(WorkOrderLifecycle.create(rules2('jingchuan-004'), created).state.confidential).toBe(false);
    expect(WorkOrderLifecycle.create(rules2('jingchuan-004', {}, { category: 'report' }), created).state.confidential).toBe(true);
  });
});
