/**
 * A worked month per scheme (issue 12), March 2026 local time: main and co-units, late and on
 * time, rejected returns, expert rulings, excluded ratings. Every point is computed by hand next
 * to its expectation, so a reader can check it against the seed's clause.
 *
 * A co-unit's row carries the work order's completion, contact and callback facts (主协办同责,
 * 003 附件2), as api/reports/facts.ts derives them; test/workflows/rules.test.ts shows that
 * derivation from the lifecycle.
 */
import { shippedProfiles } from '../../domain/profile';
import { UnitTicketFacts, scoreUnits } from '../../domain/scoring';

let n = 0;
/** A work order that went by the book in March 2026 (due Mon 03-09 09:00); override what differs. */
function row(unitId: string, over: Partial<UnitTicketFacts> = {}): UnitTicketFacts {
  n++;
  return {
    workOrderId: `M-${n}`,
    unitId,
    role: 'main',
    category: 'complaint',
    urgency: 'normal',
    dispatchedAt: '2026-03-02T09:00:00+08:00',
    signDeadline: '2026-03-03T09:00:00+08:00',
    signedAt: '2026-03-02T10:00:00+08:00',
    returnedLate: false,
    returnedWithinDuty: false,
    firstContactDeadline: '2026-03-03T09:00:00+08:00',
    firstContactAt: '2026-03-02T11:00:00+08:00',
    completionDeadline: '2026-03-09T09:00:00+08:00',
    repliedAt: '2026-03-06T10:00:00+08:00',
    extended: false,
    urgeCount: 0,
    supervised: false,
    rehandleCount: 0,
    resultType: 'resolved',
    citizenResultType: 'resolved',
    contactedFirst: true,
    resolved: true,
    satisfaction: 'satisfied',
    exclusion: null,
    closedAt: '2026-03-10T10:00:00+08:00',
    ...over,
  };
}
/** The co-unit's row of a main row: its own dispatch and signing, the work order's other facts. */
const co = (main: UnitTicketFacts, unitId: string, over: Partial<UnitTicketFacts> = {}): UnitTicketFacts => ({
  ...main,
  unitId,
  role: 'co',
  returnedLate: false,
  returnedWithinDuty: false,
  urgeCount: 0,
  supervised: false,
  missedAfterSupervision: [],
  extensionNotNotified: false,
  rehandleCount: 0,
  ...over,
});
const late = '2026-03-10T10:00:00+08:00'; // replied a day after the 03-09 09:00 deadline
const byUnit = (scores: ReturnType<typeof scoreUnits>) => Object.fromEntries(scores.map((s) => [s.unitId, s]));

describe('000 鲁山县 附件2: per-event deductions', () => {
  const profile = shippedProfiles['lushan-000'];
  const p1 = row('P');
  const p2 = row('P', { repliedAt: late, urgeCount: 1 }); // urged, then overdue
  const p3 = row('P', { returnedLate: true, returnedWithinDuty: true }); // late return, rejected as within duty
  const p4 = row('P', { repliedAt: late, extended: true, supervised: true, missedAfterSupervision: ['2026-03-12T09:00:00+08:00'] });
  const p5 = row('P', { satisfaction: 'unsatisfied', resolved: false });
  const p6 = row('P', { satisfaction: 'unsatisfied', resolved: false, exclusion: 'noPolicyBasisExplainedRepeatedly' });
  const p7 = row('P', { signedAt: '2026-03-03T10:00:00+08:00', rehandleCount: 1 });
  const p8 = row('P', { extended: true, extensionNotNotified: true });
  const facts = [p1, p2, p3, p4, p5, p6, p7, p8, co(p1, 'Q'), co(p2, 'Q')];
  // Entered by the supervisor with a reason (no stored fact shows them): 六.1 once in March, and
  // 五.4 in February (another month: not counted).
  const manualEvents = [
    { unitId: 'P', event: 'rudeToHotline' as const, at: '2026-03-12T10:00:00+08:00' },
    { unitId: 'P', event: 'onSiteOrMediaStillUndone' as const, at: '2026-02-27T10:00:00+08:00' },
  ];
  const s = byUnit(scoreUnits('2026-03', facts, profile.scoring, { satisfactionGrades: profile.satisfactionGrades, manualEvents }));

  test('main unit P', () => {
    // 四.1 及时签收 4 − 0.5 (p7 signed late)                                  = 3.5
    // 四.2 退回处理 4 − 0.5 (p3 returned after the 2 working days)           = 3.5
    // 四.3 限时办理 10 − 1 (p2) − 1 (p4)                                      = 8
    // 四.4 申请延期 6 − 1 (p8: extension not told to the citizen)            = 5
    // 四.5 答复反馈 10 − 1 (p5 不满意; p6 excluded: 没有政策依据且多次解释)     = 9
    // 四.6 整改重办 6 − 1 (p3 本属职能范围却回退) − 1 (p7 发回重办)            = 4
    // 五 催办督办 22 − 2 (五.1 p2 urged and overdue) − 2 (五.2 p4 overdue after its extension)
    //             − 2 (五.3 p4 missed 03-12 after the 督办 notice)             = 16
    //             (五.4 entered for February: not this month)
    // 六 服务质量 10 − 2 (六.1 entered 03-12)                                  = 8
    // 七.1 volume 8, rank 1 → 5
    // total 3.5 + 3.5 + 8 + 5 + 9 + 4 + 16 + 8 + 5 = 62
    expect(s.P.breakdown).toEqual({
      timelySign: 3.5,
      returnHandling: 3.5,
      timelyCompletion: 8,
      extension: 5,
      reply: 9,
      rehandling: 4,
      urgingAndSupervision: 16,
      serviceQuality: 8,
      volumeRank: 5,
    });
    expect(s.P.score).toBe(62);
  });

  test('co-unit Q: shares the late reply in its rate, the deductions stay with the main unit', () => {
    // Q on p1 (on time) and p2 (late): on-time completion 1/2; no deduction events → 4+4+10+6+10+6+22+10
    // = 72, volume 2 → rank 2 → 5; total 77.
    expect(s.Q.rates.onTimeCompletion).toBe(0.5);
    expect(s.Q.volumeRank).toBe(2);
    expect(s.Q.score).toBe(77);
  });
});

describe('001 开封市: 按期办结率 and the volume bonus over the year', () => {
  const scheme = shippedProfiles['kaifeng-001'].scoring;
  const inMonth = (month: string, day: string) => ({
    dispatchedAt: `2026-${month}-${day}T09:00:00+08:00`,
    signDeadline: `2026-${month}-${day}T17:00:00+08:00`,
    signedAt: `2026-${month}-${day}T10:00:00+08:00`,
    completionDeadline: `2026-${month}-20T09:00:00+08:00`,
    repliedAt: `2026-${month}-19T09:00:00+08:00`,
    closedAt: `2026-${month}-21T09:00:00+08:00`,
  });
  const jan = Array.from({ length: 6 }, () => row('K', inMonth('01', '05')));
  const feb = Array.from({ length: 6 }, () => row('K', inMonth('02', '02')));
  const k1 = row('K', { repliedAt: late, urgeCount: 2 }); // 连续2次催办无结果
  const k2 = row('K', { repliedAt: late, urgeCount: 1 });
  const k3 = row('K', { returnedWithinDuty: true }); // a rejected return: no item of 001 scores it
  const march = [k1, k2, k3, ...Array.from({ length: 7 }, () => row('K'))];
  const year = [...jan, ...feb, ...march, co(k1, 'L'), co(row('K2'), 'L')];
  const month = (m: string) => byUnit(scoreUnits(m, year, scheme));

  test('main unit K in March', () => {
    // 按期办结率 8 of 10 = 80 % → 15 points under 95 % → −15; k1 连续2次催办无结果 → −5: 30 − 20 = 10
    // 每办理10件加1分 over the year: 12 before March, 22 by its end → ⌊22/10⌋ − ⌊12/10⌋ = 2 − 1 = 1
    const k = month('2026-03').K;
    expect(k.rates.onTimeCompletion).toBe(0.8);
    expect(k.breakdown).toEqual({ onTimeCompletion: 10, volumeBonus: 1 });
    expect(k.score).toBe(11);
  });

  test('the bonus adds up over the year: January 0 (6), February 1 (12), March 1 (22) = ⌊22/10⌋', () => {
    // Before: each month ⌊its own volume/10⌋: 0, 0, 1 — one point of the year lost to rounding.
    const bonus = ['2026-01', '2026-02', '2026-03'].map((m) => month(m).K.breakdown.volumeBonus);
    expect(bonus).toEqual([0, 1, 1]);
  });

  test('co-unit L shares the late work order in its rate, not the urge deduction', () => {
    // L on k1 (late) and on K2's on-time one: 1 of 2 = 50 % → 45 points under 95 % → −45 → 0 (扣完为止);
    // no −5 (the urges were the main unit's); volume 2 → bonus 0.
    const l = month('2026-03').L;
    expect(l.rates.onTimeCompletion).toBe(0.5);
    expect(l.counts.events.urgedTwiceStillOverdue).toBe(0);
    expect(l.score).toBe(0);
  });
});

describe('002: 及时 deductions, 办结率 and 满意率 with expert grades', () => {
  const scheme = shippedProfiles['city-002'].scoring;
  const x1 = row('X', { repliedAt: late }); // late, no extension
  const x2 = row('X', { repliedAt: late, extended: true }); // late after an approved extension: not 没有申请获准延期
  const facts = [
    ...Array.from({ length: 4 }, () => row('X')),
    row('X', { signedAt: '2026-03-03T10:00:00+08:00' }), // signed late
    x1,
    x2,
    // Citizen 不满意, the evaluator graded 基本满意 (三(五)3): final, counts as satisfied (三(六)).
    row('X', { satisfaction: 'basicallySatisfied' }),
    row('X', { satisfaction: 'basicallySatisfied' }),
    // Citizen 不满意, the evaluator graded 不满意.
    row('X', { satisfaction: 'unsatisfied', resolved: false }),
    // A suggestion not adopted, rated 不满意: excluded (004 第十八条(一), applied to 002: assumed).
    row('X', { category: 'suggestion', satisfaction: 'unsatisfied', resolved: false, exclusion: 'suggestionNotAdopted' }),
    co(x1, 'Y'),
    co(row('X2'), 'Y'),
  ];
  const s = byUnit(scoreUnits('2026-03', facts, scheme));

  test('main unit X', () => {
    // 及时 (20): 1 late sign · 0.5 + 1 overdue without extension (x1) · 0.5 = 1 → 19
    // 办结率: 11 due, 11 replied by the month end = 100 % → 0
    // 满意率: rated 10 (1 excluded); satisfied 7 + 2 graded 基本满意 = 9 → 90 % → 0 short → 20
    //   (before, the two overturned ratings dropped out: 7 of 8 = 87.5 % → 2.5 short → −1)
    // total 19 + 20 = 39
    expect(s.X.counts.rated).toBe(10);
    expect(s.X.counts.excluded).toBe(1);
    expect(s.X.rates.satisfaction).toBe(0.9);
    expect(s.X.breakdown).toEqual({ timeliness: 19, rates: 20 });
    expect(s.X.score).toBe(39);
  });

  test('co-unit Y: the shared late reply is not its 逾期回复 event', () => {
    // 办结率 2/2, 满意率 2/2; no events → 20 + 20 = 40
    expect(s.Y.counts.events.overdueWithoutExtension).toBe(0);
    expect(s.Y.score).toBe(40);
  });
});

describe('003 南码头路街道 附件2: weighted formulas from the citizen’s verdict', () => {
  const scheme = shippedProfiles['nanmatou-003'].scoring;
  const m1 = row('M');
  const m2 = row('M', { repliedAt: late, citizenResultType: 'explained', satisfaction: 'basicallySatisfied' });
  // The unit replied 实际解决; the citizen says 参考备案; not contacted first.
  const m3 = row('M', { citizenResultType: 'notedForReference', satisfaction: 'neutral', contactedFirst: false });
  const m4 = row('M', { satisfaction: 'unsatisfied', resolved: false, citizenResultType: 'unresolved', exclusion: 'storedRepeatComplaint' }); // 存电
  const n3 = row('N', { satisfaction: 'unsatisfied', resolved: false, citizenResultType: 'unresolved', returnedWithinDuty: true });
  const facts = [m1, m2, m3, m4, co(m1, 'N'), co(m2, 'N'), n3, row('O')];
  const s = byUnit(scoreUnits('2026-03', facts, scheme));

  test('main unit M', () => {
    // 承办工单量 4 (highest) → 5
    // 及时处置率 3 of 4 on time → 10 · 3/4 = 7.5
    // rated 3 (m4 存电, 第九条): 先行联系率 2/3 → 25 · 2/3 = 16.6667
    // 诉求解决率 (100 实际解决 + 100 解释说明 + 70 参考备案) / 300 = 0.9 → 27   (the reply's 实际解决 on m3 would give 30)
    // 市民满意率 (100 + 80 + 60) / 300 = 0.8 → 24
    // total 5 + 7.5 + 16.6667 + 27 + 24 = 80.1667
    expect(s.M.breakdown).toEqual({ volume: 5, timely: 7.5, firstContact: 16.6667, resolution: 27, satisfaction: 24 });
    expect(s.M.score).toBe(80.1667);
  });

  test('unit N: co-unit of m1 and m2 (主协办同责), main of n3', () => {
    // 承办工单量 3 → 5 · (0.5 + 0.5 · (3 − 1)/(4 − 1)) = 4.1667
    // 及时处置率 2 of 3 (m2 late, shared) → 6.6667
    // 先行联系率 3/3 → 25; 诉求解决率 (100 + 100 + 0)/300 → 20; 市民满意率 (100 + 80 + 0)/300 → 18
    // total 4.1667 + 6.6667 + 25 + 20 + 18 = 73.8333 (rounded per item: 73.8334)
    expect(s.N.breakdown).toEqual({ volume: 4.1667, timely: 6.6667, firstContact: 25, resolution: 20, satisfaction: 18 });
    expect(s.N.score).toBeCloseTo(73.8334, 4);
  });

  test('unit O: lowest volume gets half the volume points', () => {
    // 2.5 + 10 + 25 + 30 + 30 = 97.5
    expect(s.O.score).toBe(97.5);
  });
});

describe('004 泾川县 第十七条 三率一度, 第十八条 exclusions, 非常不满意', () => {
  const profile = shippedProfiles['jingchuan-004'];
  const j3 = row('J', { repliedAt: late, satisfaction: 'basicallySatisfied' });
  const j1 = row('J');
  const facts = [
    j1,
    row('J', { signedAt: '2026-03-03T10:00:00+08:00' }), // signed late
    j3, // replied late
    row('J', { satisfaction: 'veryUnsatisfied', resolved: false }), // 非常不满意
    row('J', { category: 'suggestion', satisfaction: 'unsatisfied', resolved: false, exclusion: 'suggestionNotAdopted' }), // 第十八条(一)
    row('J', { returnedWithinDuty: true }), // a rejected return; 004 scores the rates only
    co(j1, 'K2', { signedAt: '2026-03-02T11:00:00+08:00' }),
    co(j3, 'K2', { signedAt: '2026-03-02T11:00:00+08:00' }),
  ];
  const s = byUnit(scoreUnits('2026-03', facts, profile.scoring, { satisfactionGrades: profile.satisfactionGrades }));

  test('main unit J', () => {
    // 按时签收率 5/6 → 25 · 5/6 = 20.8333; 按时办结率 5/6 → 20.8333
    // rated 5 (the suggestion excluded): 问题解决率 4/5 (非常不满意 not resolved) → 20
    // 群众满意度 满意 or 基本满意 4/5 (非常不满意 is not) → 20
    // total 20.8333 + 20.8333 + 20 + 20 = 81.6666
    expect(s.J.counts.excluded).toBe(1);
    expect(s.J.breakdown).toEqual({ onTimeSign: 20.8333, onTimeCompletion: 20.8333, resolution: 20, satisfaction: 20 });
    expect(s.J.score).toBeCloseTo(81.6666, 4);
  });

  test('co-unit K2: its own signing, the work orders’ completion and callbacks', () => {
    // 签收 2/2 → 25; 办结 1/2 (j3 late) → 12.5; 解决 2/2 → 25; 满意 2/2 → 25; total 87.5
    expect(s.K2.breakdown).toEqual({ onTimeSign: 25, onTimeCompletion: 12.5, resolution: 25, satisfaction: 25 });
    expect(s.K2.score).toBe(87.5);
  });
});
