/**
 * How long 100 000 deadline computations take on the working-time calendar.
 *
 * Run: npx ts-node --transpile-only bench/calendar.ts
 *
 * Each computation is a realistic deadline: a start spread over 2025–2026 (so holidays and
 * make-up days are crossed), plus one of: 1 working day (sign), 3 working hours (004 sign),
 * 5, 7 or 10 working days (completion). Also times workingMinutesBetween over the same spans.
 */
import { WorkingCalendar } from '../domain/calendar';
import { buildCalendarData } from '../domain/holidays';
import { SlaDuration, addDuration, workingDays, workingHours } from '../domain/sla';

const N = 100_000;
const cal = new WorkingCalendar(buildCalendarData({ fromYear: 2025, toYear: 2026 }));
const windows: SlaDuration[] = [workingDays(1), workingHours(3), workingDays(5), workingDays(7), workingDays(10)];

let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const from = Date.parse('2025-01-01T00:00:00+08:00');
const span = Date.parse('2026-12-15T00:00:00+08:00') - from;
const starts = Array.from({ length: N }, () => from + Math.floor((rand() * span) / 60_000) * 60_000);

function run(label: string, f: (i: number) => number): void {
  let check = 0;
  for (let i = 0; i < 2000; i++) check += f(i); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) check += f(i);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${label.padEnd(44)} ${N} in ${ms.toFixed(1)} ms (${((ms * 1000) / N).toFixed(2)} µs each) [checksum ${check % 1000}]`);
}

const deadlines = starts.map((s, i) => addDuration(cal, s, windows[i % windows.length]).getTime());
run('addDuration (mixed 1 d / 3 h / 5 / 7 / 10 d)', (i) => addDuration(cal, starts[i], windows[i % windows.length]).getTime() % 997);
run('addWorkingDays(t, 10)', (i) => cal.addWorkingDays(starts[i], 10).getTime() % 997);
run('addWorkingHours(t, 70) (= 10 days of 7 h)', (i) => cal.addWorkingHours(starts[i], 70).getTime() % 997);
run('workingMinutesBetween(start, deadline)', (i) => cal.workingMinutesBetween(starts[i], deadlines[i]) % 997);
run('new WorkingCalendar(data) (2 years)', () => new WorkingCalendar(cal.data).workingMinutesPerDay % 997);
