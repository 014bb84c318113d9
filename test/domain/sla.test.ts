/**
 * SLA durations: working units on the calendar, natural units on the clock; and the rule that
 * the workflow-safe domain modules import nothing Node-only or I/O-bound.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { WorkingCalendar } from '../../domain/calendar';
import { buildCalendarData } from '../../domain/holidays';
import {
  addDuration,
  durationInWorkingMinutes,
  naturalHours,
  naturalMinutes,
  subtractDuration,
  workingDays,
  workingHours,
} from '../../domain/sla';
import { slaDurationSchema } from '../../domain/dataSchemas';

const cal = new WorkingCalendar(buildCalendarData({ fromYear: 2026, toYear: 2026 }));
const at = (s: string): Date => cal.at(s.slice(0, 10), s.slice(11, 16));
const show = (d: Date): string => `${cal.localDate(d)} ${cal.localTime(d)}`;

test.each([
  ['2026-10-01 09:00', workingDays(1), '2026-10-09 08:30', 'working days skip the holiday'],
  ['2026-10-01 09:00', workingHours(2), '2026-10-08 10:30', 'working hours skip the holiday'],
  ['2026-10-01 09:00', naturalHours(1), '2026-10-01 10:00', 'natural hours run on a holiday (pre-briefing)'],
  ['2026-10-01 22:30', naturalHours(4), '2026-10-02 02:30', 'natural hours run at night (urgent report)'],
  ['2026-03-09 11:50', naturalMinutes(30), '2026-03-09 12:20', 'natural minutes run over lunch (urgent return)'],
  ['2026-03-09 11:50', workingHours(0.5), '2026-03-09 14:20', 'working half hour does not'],
])('%s + %o = %s (%s)', (t, d, expected) => {
  expect(show(addDuration(cal, at(t), d))).toBe(expected);
});

test('subtractDuration mirrors addDuration', () => {
  // 3 working hours back from Thu 10-08 10:30: 2 h that morning, 1 h before Wed 09-30's 17:30 closing
  expect(show(subtractDuration(cal, at('2026-10-08 10:30'), workingHours(3)))).toBe('2026-09-30 16:30');
  expect(show(subtractDuration(cal, at('2026-10-08 10:30'), workingDays(1)))).toBe('2026-09-30 10:30');
  expect(show(subtractDuration(cal, at('2026-10-02 02:30'), naturalHours(4)))).toBe('2026-10-01 22:30');
});

test('durations compare in working minutes', () => {
  expect(durationInWorkingMinutes(cal, workingDays(1))).toBe(420);
  expect(durationInWorkingMinutes(cal, workingHours(3))).toBe(180);
  expect(durationInWorkingMinutes(cal, naturalMinutes(30))).toBe(30);
});

test('the schema refuses negative amounts, fractional working days and unknown units', () => {
  expect(slaDurationSchema.safeParse({ amount: 1.5, unit: 'workingHours' }).success).toBe(true);
  expect(slaDurationSchema.safeParse({ amount: 1.5, unit: 'workingDays' }).success).toBe(false);
  expect(slaDurationSchema.safeParse({ amount: -1, unit: 'workingHours' }).success).toBe(false);
  expect(slaDurationSchema.safeParse({ amount: 1, unit: 'weeks' }).success).toBe(false);
});

test('workflow-safe domain modules import only zod and each other', () => {
  for (const file of ['calendar.ts', 'sla.ts', 'profile.ts', 'profileRules.ts', 'scoring.ts', 'workorder.ts', 'stages.ts', 'dataSchemas.ts', 'scoring/grades.ts']) {
    const source = readFileSync(join(__dirname, '../../domain', file), 'utf8');
    const imports = [...source.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    for (const spec of imports) expect([file, spec]).toEqual([file, expect.stringMatching(/^(zod|\.\.?\/(calendar|sla|scoring|workorder|profile|profileRules|stages|dataSchemas|storable|storableSchemas|scoring\/grades))$/)]);
  }
});
