/**
 * Each shipped profile's windows turned into deadlines on the 2026 calendar, and overrides.
 * A work order reaches its unit on Friday 2026-02-13 16:00, the last Friday before the
 * Spring Festival (Sat 02-14 is a make-up workday; 02-15..02-23 off; Sat 02-28 a make-up workday).
 */
import { ZodError } from 'zod';
import { WorkingCalendar } from '../../domain/calendar';
import { buildCalendarData } from '../../domain/holidays';
import {
  ProfileId,
  completionWindow,
  maxExtension,
  profileIds,
  resolveProfile,
  returnWindow,
  shippedProfiles,
  signWindow,
  slaProfileSchema,
} from '../../domain/profile';
import { addDuration, subtractDuration, urgeTimes, workingDays, workingHours } from '../../domain/sla';

const cal = new WorkingCalendar(buildCalendarData({ fromYear: 2026, toYear: 2026 }));
const at = (s: string): Date => cal.at(s.slice(0, 10), s.slice(11, 16));
const show = (d: Date): string => `${cal.localDate(d)} ${cal.localTime(d)}`;
const received = at('2026-02-13 16:00');

describe('shipped profiles', () => {
  test('there is one per seed and each validates', () => {
    expect(Object.keys(shippedProfiles).sort()).toEqual([...profileIds].sort());
    for (const id of profileIds) {
      expect(slaProfileSchema.safeParse(shippedProfiles[id]).success).toBe(true);
      expect(shippedProfiles[id].id).toBe(id);
    }
  });

  // Hand-computed: working days from Fri 02-13 16:00 are 14 (Sat), 24, 25, 26, 27, 28 (Sat), Mar 2, 3, 4, 5.
  test.each<[ProfileId, string, string, string, string]>([
    // id, sign (normal), complaint completion, consultation completion, return (normal)
    ['lushan-000', '2026-02-14 16:00', '2026-03-02 16:00', '2026-03-02 16:00', '2026-02-24 16:00'], // 1 wd; 7 wd; 7 wd; 2 wd (000 附件2 四.2)
    ['kaifeng-001', '2026-02-14 16:00', '2026-02-27 16:00', '2026-02-27 16:00', '2026-02-14 16:00'], // 1; 5; 5; 1
    ['city-002', '2026-02-14 16:00', '2026-02-27 16:00', '2026-02-27 16:00', '2026-02-14 16:00'], // 1; 5; 5; 1
    ['nanmatou-003', '2026-02-14 16:00', '2026-02-27 16:00', '2026-02-27 16:00', '2026-02-14 16:00'], // 1; 5; 5; 1 (from signing, signed at once)
    ['jingchuan-004', '2026-02-14 10:00', '2026-02-27 16:00', '2026-02-24 16:00', '2026-02-14 16:00'], // 3 wh = 1.5 Fri + 1.5 Sat; 5; 2; 1
  ])('%s: sign %s, complaint %s, consultation %s, return %s', (id, sign, complaint, consultation, ret) => {
    const p = shippedProfiles[id];
    expect(show(addDuration(cal, received, signWindow(p, 'normal')))).toBe(sign);
    expect(show(addDuration(cal, received, completionWindow(p, 'complaint', 'normal')))).toBe(complaint);
    expect(show(addDuration(cal, received, completionWindow(p, 'consultation', 'normal')))).toBe(consultation);
    expect(show(addDuration(cal, received, returnWindow(p, 'normal').within))).toBe(ret);
  });

  test('003: pre-briefing 1 natural hour, 3 attempts 1 hour apart; urgent help 1 working day; off-hours urgent report 4 natural hours', () => {
    const p = shippedProfiles['nanmatou-003'];
    expect(p.preBriefing.required).toBe(true);
    expect(show(addDuration(cal, received, p.preBriefing.window))).toBe('2026-02-13 17:00');
    expect(p.preBriefing.attempts).toBe(3);
    expect(show(addDuration(cal, received, p.preBriefing.minGap))).toBe('2026-02-13 17:00');
    expect(show(addDuration(cal, received, completionWindow(p, 'help', 'urgent')))).toBe('2026-02-14 16:00');
    expect(show(addDuration(cal, received, completionWindow(p, 'help', 'normal')))).toBe('2026-02-27 16:00');
    // Urgent ticket on the eve of the holiday, 22:00: natural time, the holiday does not stop it.
    expect(show(addDuration(cal, at('2026-02-16 22:00'), p.urgentOffHours.reportWithin))).toBe('2026-02-17 02:00');
    expect(show(addDuration(cal, received, p.firstContact.window.within))).toBe('2026-02-14 16:00');
    expect(p.firstContact.siteVisit).toEqual(workingDays(1));
    expect(p.return.normal.from).toBe('signing');
    expect(show(addDuration(cal, received, p.reHandling.window))).toBe('2026-02-25 16:00'); // 3 wd: 14, 24, 25
    expect(p.escalation.repeatCallsForSupervision).toBe(5);
    expect(p.extension.request).toEqual({ anchor: 'afterReceipt', within: workingDays(1) });
  });

  test('004: urgent return 30 minutes from signing; extension asked ≥ 1 working day before, at most doubling', () => {
    const p = shippedProfiles['jingchuan-004'];
    expect(returnWindow(p, 'urgent').from).toBe('signing');
    expect(show(addDuration(cal, at('2026-02-14 11:50'), returnWindow(p, 'urgent').within))).toBe('2026-02-14 12:20');
    const deadline = addDuration(cal, received, completionWindow(p, 'complaint', 'normal'));
    expect(p.extension.request.anchor).toBe('beforeDeadline');
    if (p.extension.request.anchor === 'beforeDeadline') {
      expect(show(subtractDuration(cal, deadline, p.extension.request.atLeast))).toBe('2026-02-26 16:00');
    }
    expect(maxExtension(p, completionWindow(p, 'complaint', 'normal'))).toEqual(workingDays(5));
    expect(maxExtension(p, completionWindow(p, 'consultation', 'normal'))).toEqual(workingDays(2));
    expect(p.escalation.rehandlesForAccountability).toBe(2);
    expect(p.escalation.repeatComplaintsForAccountability).toBe(3);
  });

  test('000: extension 3–5 days, once; overdue after extension supervised', () => {
    const p = shippedProfiles['lushan-000'];
    expect(p.extension.maxCount).toBe(1);
    expect(maxExtension(p, completionWindow(p, 'complaint', 'normal'))).toEqual(workingDays(5));
    expect(p.extension.maxLength).toEqual({ kind: 'range', min: workingDays(3), max: workingDays(5) });
    expect(p.escalation.superviseOverdueAfterExtension).toBe(true);
  });

  test('001: leadership-assigned work orders get 10 working days', () => {
    const p = shippedProfiles['kaifeng-001'];
    const w = completionWindow(p, 'complaint', 'normal', { classification: 'leadership' });
    expect(show(addDuration(cal, received, w))).toBe('2026-03-05 16:00');
    expect(p.escalation.urgesBeforeSupervision).toBe(2);
  });

  test('002: expert evaluation 2 working days, reminder after 24 natural hours, auto-withdraw', () => {
    const p = shippedProfiles['city-002'];
    expect(p.expertEvaluation.enabled).toBe(true);
    const assigned = at('2026-02-13 16:00');
    expect(show(addDuration(cal, assigned, p.expertEvaluation.reminderAfter))).toBe('2026-02-14 16:00');
    expect(show(addDuration(cal, assigned, p.expertEvaluation.window))).toBe('2026-02-24 16:00');
    expect(p.expertEvaluation.autoWithdraw).toBe(true);
  });

  test('a statutory limit wins over every profile (004 第十一条(一)3)', () => {
    for (const id of profileIds) {
      expect(completionWindow(shippedProfiles[id], 'consultation', 'urgent', { statutoryWorkingDays: 15 })).toEqual(workingDays(15));
    }
  });

  test('urge points before the completion deadline: 1 working day and 2 working hours', () => {
    const p = shippedProfiles['jingchuan-004'];
    const deadline = at('2026-02-27 16:00');
    expect(urgeTimes(cal, deadline, p.urgePoints.completion).map(show)).toEqual(['2026-02-26 16:00', '2026-02-27 14:00']);
    // Over the holiday: 1 working day before Tue 02-24 10:00 is the make-up Saturday 10:00;
    // 2 working hours before it are 1.5 h on Tuesday morning + 0.5 h before Saturday's 17:30 closing.
    expect(urgeTimes(cal, at('2026-02-24 10:00'), p.urgePoints.completion).map(show)).toEqual(['2026-02-14 10:00', '2026-02-14 17:00']);
    // Points before the dispatch are dropped.
    expect(urgeTimes(cal, deadline, p.urgePoints.completion, at('2026-02-27 09:00')).map(show)).toEqual(['2026-02-27 14:00']);
  });
});

describe('resolveProfile', () => {
  const base = shippedProfiles['jingchuan-004'];

  test('overrides one field deeply and keeps the rest', () => {
    const p = resolveProfile(base, { sign: { normal: workingHours(2) } });
    expect(p.sign.normal).toEqual(workingHours(2));
    expect(p.sign.urgent).toEqual(base.sign.urgent);
    expect(p.completion).toEqual(base.completion);
    expect(base.sign.normal).toEqual(workingHours(3)); // the shipped profile is untouched
  });

  test('replaces arrays and switches union members whole', () => {
    const p = resolveProfile(base, {
      urgePoints: { completion: [workingHours(4)] },
      extension: { request: { anchor: 'afterReceipt', within: workingDays(1) } },
      scoring: shippedProfiles['nanmatou-003'].scoring,
    });
    expect(p.urgePoints.completion).toEqual([workingHours(4)]);
    expect(p.extension.request).toEqual({ anchor: 'afterReceipt', within: workingDays(1) });
    expect(p.scoring.kind).toBe('weightedFormulas');
  });

  test('rejects an invalid override, naming the field', () => {
    try {
      resolveProfile(base, { sign: { normal: { amount: -1 } } });
      throw new Error('expected a ZodError');
    } catch (e) {
      expect(e).toBeInstanceOf(ZodError);
      expect((e as ZodError).issues[0].path).toEqual(['sign', 'normal', 'amount']);
    }
    expect(() => resolveProfile(base, { completion: { standard: { amount: 1.5, unit: 'workingDays' } } })).toThrow(/whole number/);
  });
});

test('an override with a misspelt field is refused, not silently dropped', () => {
  expect(() => resolveProfile(shippedProfiles['city-002'], { sign: { normall: workingHours(2) } })).toThrow(/normall/);
});

describe('profiles stored before issue 12', () => {
  test('parse with the defaults of the new fields (late returns refused, the four grades, no forms)', () => {
    const old = JSON.parse(JSON.stringify(shippedProfiles['nanmatou-003']));
    delete old.return.late;
    delete old.callback.reHandleWhenNotContactedFirst;
    delete old.satisfactionGrades;
    delete old.requiredFields;
    const parsed = slaProfileSchema.parse(old);
    expect(parsed.return.late).toBe('refused');
    expect(parsed.callback.reHandleWhenNotContactedFirst).toBe(false);
    expect(parsed.satisfactionGrades.map((g) => g.label)).toEqual(['满意', '基本满意', '一般', '不满意']);
    expect(parsed.requiredFields).toEqual({ returnRequest: [], reply: [] });
  });

  test('000 ships 附件2 四.2 (2 working days, late allowed with −0.5); 附件1 is an override away', () => {
    expect(shippedProfiles['lushan-000'].return.normal.within).toEqual(workingDays(2));
    expect(shippedProfiles['lushan-000'].return.late).toBe('allowedWithPenalty');
    const annex1 = resolveProfile(shippedProfiles['lushan-000'], { return: { normal: { within: workingDays(1) }, late: 'refused' } });
    expect(annex1.return).toMatchObject({ normal: { from: 'receipt', within: workingDays(1) }, late: 'refused' });
  });
});
