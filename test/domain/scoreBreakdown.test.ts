/**
 * What cost a unit points, line by line (issue 14: the supervisor follows each deduction to its
 * work order): the scoring's trace (`scoreUnits(..., { trace: true })`) and its split into the
 * scheme's items (api/reports/breakdown.ts), for every shipped profile. The lines must add up to
 * what the item lost wherever a scheme's points are linear in the work orders (003 附件2 weights,
 * 004 三率一度, 000's per-event deductions before the floor), and name the work orders that did it.
 */
import { scoreBreakdown } from '../../api/reports/breakdown';
import { profileIds, shippedProfiles } from '../../domain/profile';
import { UnitTicketFacts, scoreUnits } from '../../domain/scoring';

let n = 0;
function row(over: Partial<UnitTicketFacts> = {}): UnitTicketFacts {
  n++;
  return {
    workOrderId: `W-${n}`,
    unitId: 'U',
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
const late = '2026-03-10T10:00:00+08:00';
const facts = [
  row(),
  row(),
  row({ signedAt: '2026-03-03T10:00:00+08:00' }), // W-3 signed late
  row({ repliedAt: late, urgeCount: 2, extended: true }), // W-4 overdue after an extension, urged twice
  row({ contactedFirst: false }), // W-5 未先联
  row({ resolved: false, citizenResultType: 'unresolved', satisfaction: 'unsatisfied', rehandleCount: 2 }), // W-6
  row({ satisfaction: 'neutral', citizenResultType: 'notedForReference' }), // W-7 part credit (003)
];
const sum = (xs: (number | null)[]) => Math.round(xs.reduce<number>((s, x) => s + (x ?? 0), 0) * 10_000) / 10_000;

describe.each(profileIds)('%s', (id) => {
  const profile = shippedProfiles[id];
  const [traced] = scoreUnits('2026-03', facts, profile.scoring, { satisfactionGrades: profile.satisfactionGrades, trace: true });
  const [plain] = scoreUnits('2026-03', facts, profile.scoring, { satisfactionGrades: profile.satisfactionGrades });

  test('tracing changes no number, and each counted event is one traced cause', () => {
    const { causes, ...rest } = traced;
    expect(rest).toEqual(plain);
    expect(plain.causes).toBeUndefined();
    for (const [event, count] of Object.entries(traced.counts.events)) {
      const traces = causes!.filter((c) => c.kind === 'event' && c.event === event).reduce((s, c) => s + (c.kind === 'event' ? (c.count ?? 1) : 0), 0);
      expect([event, traces]).toEqual([event, count]);
    }
    // Rate misses: denominators minus numerators.
    const misses = (rate: string) => causes!.filter((c) => c.kind === 'rate' && c.rate === rate).length;
    expect(misses('onTimeSign')).toBe(traced.counts.signDue - traced.counts.signedOnTime);
    expect(misses('onTimeCompletion')).toBe(traced.counts.completionDue - traced.counts.completedOnTime);
    expect(misses('firstContact')).toBe(traced.counts.rated - traced.counts.contactedFirst);
  });

  test('the items are the scheme’s, with the report’s points; the lines explain what was lost', () => {
    const items = scoreBreakdown(profile.scoring, traced);
    expect(Object.fromEntries(items.map((i) => [i.id, i.points]))).toEqual(traced.breakdown);
    for (const item of items) {
      if (item.id === 'volumeRank' || item.id === 'volumeBonus') continue; // by volume, not by work order
      const lines = item.lines.filter((l) => l.kind !== 'target');
      for (const l of lines) expect(l.workOrderId).toMatch(/^W-\d+$/);
      const lost = item.maxPoints === null ? 0 : Math.round((item.maxPoints - item.points) * 10_000) / 10_000;
      if (profile.scoring.kind === 'weightedFormulas' || profile.scoring.kind === 'threeRatesOneDegree') {
        // (Each line is rounded to 4 decimals: the sum may differ from the item's in the last place.)
        if (item.id !== 'volume') expect(Math.abs(sum(lines.map((l) => l.points)) - lost)).toBeLessThanOrEqual(0.0001 * Math.max(1, lines.length));
      } else if (profile.scoring.kind === 'deductions') {
        // 扣完为止: the lines may cost more than the item had.
        expect(sum(lines.map((l) => l.points))).toBeGreaterThanOrEqual(lost);
        if (item.points > 0) expect([item.id, sum(lines.map((l) => l.points))]).toEqual([item.id, lost]);
      } else {
        // Thresholds: whole steps under a target (the rate's misses listed without points) and events.
        const steps = sum(item.lines.filter((l) => l.kind === 'target').map((l) => l.points));
        const events = sum(item.lines.filter((l) => l.kind === 'event').map((l) => l.points));
        if (item.points > 0 && item.maxPoints !== null) expect([item.id, steps + events]).toEqual([item.id, lost]);
        for (const l of item.lines.filter((x) => x.kind === 'rate')) expect(l.points).toBeNull();
      }
    }
  });
});

test('000: the work order urged and still overdue after its extension costs 2 + 2 in 催办督办, and says which it is', () => {
  const profile = shippedProfiles['lushan-000'];
  const [u] = scoreUnits('2026-03', facts, profile.scoring, { satisfactionGrades: profile.satisfactionGrades, trace: true });
  const item = scoreBreakdown(profile.scoring, u).find((i) => i.id === 'urgingAndSupervision')!;
  expect(item.lines).toHaveLength(2);
  expect(item.lines).toEqual(
    expect.arrayContaining([
      { kind: 'event', event: 'urgedAndStillOverdue', workOrderId: 'W-4', points: 2 },
      { kind: 'event', event: 'overdueAfterExtension', workOrderId: 'W-4', points: 2 },
    ]),
  );
  // 被发回重办 twice on one work order: one line, counted twice (000 附件2 四.6).
  const rehandling = scoreBreakdown(profile.scoring, u).find((i) => i.id === 'rehandling')!;
  expect(rehandling.lines).toContainEqual({ kind: 'event', event: 'sentBackForRehandling', workOrderId: 'W-6', count: 2, points: 2 });
});

test('003: a work order with part credit costs its share of the weight (参考备案 70 of 100)', () => {
  const profile = shippedProfiles['nanmatou-003'];
  const [u] = scoreUnits('2026-03', facts, profile.scoring, { satisfactionGrades: profile.satisfactionGrades, trace: true });
  const resolution = scoreBreakdown(profile.scoring, u).find((i) => i.id === 'resolution')!;
  const rated = u.counts.rated;
  const weight = (profile.scoring as { weights: { resolution: number } }).weights.resolution;
  const w7 = resolution.lines.find((l) => l.workOrderId === 'W-7')!;
  const credit = (profile.scoring as { resolutionCredit: Record<string, number> }).resolutionCredit.notedForReference;
  expect(w7.points).toBeCloseTo((weight / rated) * (1 - credit / 100), 4);
});
