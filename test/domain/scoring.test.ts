/**
 * Each scoring scheme on a hand-computed month (March 2026, local time UTC+8). The hand
 * computation is written next to each expectation.
 */
import { shippedProfiles } from '../../domain/profile';
import { ScoringScheme, UnitTicketFacts, scoreUnits } from '../../domain/scoring';

let n = 0;
/** A work order that went by the book in March 2026; override what differs. */
function row(unitId: string, over: Partial<UnitTicketFacts> = {}): UnitTicketFacts {
  n++;
  return {
    workOrderId: `WO-${n}`,
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
    contactedFirst: true,
    resolved: true,
    satisfaction: 'satisfied',
    exclusion: null,
    closedAt: '2026-03-10T10:00:00+08:00',
    ...over,
  };
}
const times = (k: number, f: (i: number) => UnitTicketFacts): UnitTicketFacts[] => Array.from({ length: k }, (_, i) => f(i));
const late = '2026-03-10T10:00:00+08:00';
const byUnit = (scores: ReturnType<typeof scoreUnits>) => Object.fromEntries(scores.map((s) => [s.unitId, s]));

describe('003 weighted formulas (南码头路街道 附件2)', () => {
  const scheme = shippedProfiles['nanmatou-003'].scoring;
  const facts = [
    row('A', { workOrderId: 'WO-shared' }),
    row('A', { repliedAt: late, resultType: 'explained', citizenResultType: 'explained', satisfaction: 'basicallySatisfied' }),
    row('A', { resultType: 'notedForReference', citizenResultType: 'notedForReference', satisfaction: 'neutral', contactedFirst: false }),
    row('A', { resultType: 'unresolved', resolved: false, satisfaction: 'unsatisfied' }),
    row('B', { workOrderId: 'WO-shared', role: 'co' }), // co-unit of A's first ticket: 主协办同责
    row('B', { resultType: 'unresolved', resolved: false, satisfaction: 'unsatisfied', exclusion: 'storedRepeatComplaint' }),
    row('C'),
  ];
  const s = byUnit(scoreUnits('2026-03', facts, scheme));

  test('unit A', () => {
    // volume: A 4 (highest) → 5 · (0.5 + 0.5 · (4−1)/(4−1)) = 5
    // timely: 3 of 4 on time → 10 · 3/4 = 7.5
    // first contact: 3 of 4 rated → 25 · 0.75 = 18.75
    // resolution: (100 + 100 + 70 + 0) / 400 = 0.675 → 30 · 0.675 = 20.25
    // satisfaction: (100 + 80 + 60 + 0) / 400 = 0.6 → 30 · 0.6 = 18
    expect(s.A.breakdown).toEqual({ volume: 5, timely: 7.5, firstContact: 18.75, resolution: 20.25, satisfaction: 18 });
    expect(s.A.score).toBe(69.5);
    expect(s.A.rates.onTimeCompletion).toBe(0.75);
    expect(s.A.volumeRank).toBe(1);
  });

  test('unit B: the co-unit counts fully, the stored repeat complaint (存电) is not rated', () => {
    // volume: 2 → 5 · (0.5 + 0.5 · 1/3) = 3.3333; timely 2/2 → 10; rated 1 (1 excluded) → 25 + 30 + 30
    expect(s.B.counts.rated).toBe(1);
    expect(s.B.counts.excluded).toBe(1);
    expect(s.B.breakdown.volume).toBeCloseTo(3.3333, 4);
    expect(s.B.score).toBeCloseTo(98.3333, 4);
  });

  test('unit C (lowest volume gets half the volume points) and the ranking', () => {
    // volume 1 → 2.5; everything else full → 2.5 + 10 + 25 + 30 + 30 = 97.5
    expect(s.C.score).toBe(97.5);
    expect(scoreUnits('2026-03', facts, scheme).map((u) => u.unitId)).toEqual(['B', 'C', 'A']);
  });
});

describe('002 thresholds (办结率 ≥ 95 %, 满意率 ≥ 90 %, −1 per 2 points short; −0.5 per late event)', () => {
  const scheme = shippedProfiles['city-002'].scoring;
  const X = [
    row('X', { repliedAt: null, closedAt: null, satisfaction: null, resultType: null, contactedFirst: null, resolved: null }),
    row('X', { repliedAt: null, closedAt: null, satisfaction: null, resultType: null, contactedFirst: null, resolved: null }),
    row('X', { repliedAt: late, urgeCount: 2 }), // late, no extension, urged twice
    row('X', { repliedAt: late, extended: true }), // late after an extension
    ...times(3, () => row('X', { signedAt: '2026-03-03T10:00:00+08:00' })), // signed late
    ...times(3, () => row('X', { satisfaction: 'unsatisfied' })),
    ...times(10, () => row('X')),
  ];
  const Z = times(45, () => row('Z', { signedAt: '2026-03-04T10:00:00+08:00' }));
  const s = byUnit(scoreUnits('2026-03', [...X, ...Z, row('Y')], scheme));

  test('unit X', () => {
    // rates: completed 18 of 20 due = 90 % → 5 points short → 2 whole steps → −2
    //        satisfied 15 of 18 rated = 83.33 % → 6.67 points short → 3 whole steps → −3 → 20 − 5 = 15
    // timeliness: 3 late signs · 0.5 + 3 overdue without extension (2 unreplied, 1 late) · 0.5 = 3 → 17
    expect(s.X.rates.completion).toBe(0.9);
    expect(s.X.rates.satisfaction).toBeCloseTo(15 / 18, 10);
    expect(s.X.counts.events.overdueWithoutExtension).toBe(3);
    expect(s.X.breakdown).toEqual({ timeliness: 17, rates: 15 });
    expect(s.X.score).toBe(32);
  });

  test('deductions stop at zero (扣完为止); a clean unit gets everything', () => {
    // Z: 45 late signs · 0.5 = 22.5 > 20 → 0; rates full → 20
    expect(s.Z.breakdown).toEqual({ timeliness: 0, rates: 20 });
    expect(s.Y.score).toBe(40);
  });

  test('001 on the same unit: on-time completion 16/20 = 80 % → 15 points short → −15; urged twice → −5; +2 for 20 tickets', () => {
    const k = byUnit(scoreUnits('2026-03', X, shippedProfiles['kaifeng-001'].scoring));
    expect(k.X.rates.onTimeCompletion).toBe(0.8);
    expect(k.X.breakdown).toEqual({ onTimeCompletion: 30 - 15 - 5, volumeBonus: 2 });
    expect(k.X.score).toBe(12);
  });
});

describe('000 per-event deductions (鲁山县 附件2)', () => {
  const scheme = shippedProfiles['lushan-000'].scoring;
  const u1 = [
    row('u1', { signedAt: '2026-03-03T10:00:00+08:00' }),
    row('u1', { signedAt: '2026-03-03T10:00:00+08:00' }),
    // Overdue after an extension, urged, and under the 督办 that overdue opened: no failure after
    // the 督办 notice (000 附件2 五.3 needs one), so 五.3 does not count it a third time (issue 12).
    row('u1', { repliedAt: late, extended: true, urgeCount: 1, supervised: true }),
    row('u1', { satisfaction: 'unsatisfied' }),
    row('u1', { rehandleCount: 2 }),
    row('u1', { returnedWithinDuty: true, returnedLate: true }),
    ...times(4, () => row('u1')),
  ];
  // u2..u9 with 9..2 tickets; u10 ties u9 with 2.
  const others = [9, 8, 7, 6, 5, 4, 3, 2, 2].flatMap((v, i) => times(v, () => row(`u${i + 2}`)));
  const s = byUnit(scoreUnits('2026-03', [...u1, ...others], scheme));

  test('unit u1', () => {
    // 及时签收 4 − 2·0.5 = 3; 退回处理 4 − 0.5 = 3.5; 限时办理 10 − 1 = 9; 申请延期 6; 答复反馈 10 − 1 = 9;
    // 整改重办 6 − (1 returned within duty + 2 re-handles) = 3;
    // 催办督办 22 − (urged and overdue 2 + overdue after extension 2) = 18 (五.3: nothing failed after the 督办);
    // 服务质量 10 (nothing entered); volume rank 1 → 5.   Total 3 + 3.5 + 9 + 6 + 9 + 3 + 18 + 10 + 5 = 66.5
    expect(s.u1.breakdown).toEqual({
      timelySign: 3,
      returnHandling: 3.5,
      timelyCompletion: 9,
      extension: 6,
      reply: 9,
      rehandling: 3,
      urgingAndSupervision: 18,
      serviceQuality: 10,
      volumeRank: 5,
    });
    expect(s.u1.score).toBe(66.5);
  });

  test('volume rank bands: 1–2 → 5, 3–5 → 4, 6–9 → 3, 10+ → 2; ties share the better rank', () => {
    // items without events: 4 + 4 + 10 + 6 + 10 + 6 + 22 + 10 = 72
    const ranks = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9', 'u10'].map((u) => [s[u].volumeRank, s[u].breakdown.volumeRank]);
    expect(ranks).toEqual([[1, 5], [2, 5], [3, 4], [4, 4], [5, 4], [6, 3], [7, 3], [8, 3], [9, 3], [9, 3]]);
    expect(s.u2.score).toBe(77);
    expect(s.u10.score).toBe(75);
  });
});

describe('004 三率一度 with the exclusions of 第十八条', () => {
  const J = [
    ...times(2, () => row('J', { signedAt: '2026-03-03T09:30:00+08:00' })), // 2 late signs
    row('J', { repliedAt: late }), // 1 late completion
    row('J', { resolved: false, satisfaction: 'basicallySatisfied' }),
    row('J', { resolved: false, satisfaction: 'neutral' }),
    row('J', { satisfaction: 'unsatisfied' }),
    row('J', { category: 'suggestion', resolved: false, satisfaction: 'unsatisfied', exclusion: 'suggestionNotAdopted' }),
    row('J', { resolved: false, satisfaction: 'unsatisfied', exclusion: 'noPolicyBasisExplainedRepeatedly' }),
    ...times(2, () => row('J')),
  ];

  test('with the exclusions', () => {
    // sign 8/10 → 25 · 0.8 = 20; completion 9/10 → 22.5;
    // rated 8 (2 excluded): resolved 6/8 → 18.75; satisfied or basically 6/8 → 18.75; total 80
    const [j] = scoreUnits('2026-03', J, shippedProfiles['jingchuan-004'].scoring);
    expect(j.counts.excluded).toBe(2);
    expect(j.breakdown).toEqual({ onTimeSign: 20, onTimeCompletion: 22.5, resolution: 18.75, satisfaction: 18.75 });
    expect(j.score).toBe(80);
  });

  test('without them the same month scores lower', () => {
    // rated 10: resolved 6/10 → 15; satisfied 6/10 → 15; total 20 + 22.5 + 15 + 15 = 72.5
    const scheme: ScoringScheme = { kind: 'threeRatesOneDegree', weights: { onTimeSign: 25, onTimeCompletion: 25, resolution: 25, satisfaction: 25 }, exclusions: [] };
    expect(scoreUnits('2026-03', J, scheme)[0].score).toBe(72.5);
  });
});

describe('which rows count in the month', () => {
  const scheme = shippedProfiles['jingchuan-004'].scoring;

  test('month boundaries are local midnight (UTC+8)', () => {
    const facts = [
      row('M', { dispatchedAt: '2026-02-28T23:30:00+08:00' }), // February locally (15:30Z)
      row('M', { dispatchedAt: '2026-03-31T15:30:00Z' }), // 23:30 on Mar 31 locally: March
      row('M', { dispatchedAt: '2026-03-31T16:30:00Z' }), // 00:30 on Apr 1 locally: April
    ];
    expect(scoreUnits('2026-03', facts, scheme)[0].volume).toBe(1);
  });

  test('asOf mid-month: deadlines after it are not due yet', () => {
    const [u] = scoreUnits('2026-03', [row('M', { repliedAt: null, closedAt: null, satisfaction: null })], scheme, { asOf: '2026-03-05T00:00:00+08:00' });
    expect(u.counts.signDue).toBe(1);
    expect(u.counts.completionDue).toBe(0);
    expect(u.rates.onTimeCompletion).toBeNull();
    expect(u.counts.events.overdue).toBe(0);
  });

  test('bad input is refused with the field named', () => {
    expect(() => scoreUnits('2026-3', [], scheme)).toThrow(/YYYY-MM/);
    expect(() => scoreUnits('2026-03', [row('M', { signedAt: 'yesterday' })], scheme)).toThrow(/signedAt/);
  });
});
