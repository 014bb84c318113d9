/**
 * Durations of the regulations (时限) and how to turn them into deadlines on a calendar.
 *
 * Pure and workflow-safe. Working units count on the {@link WorkingCalendar}; natural units
 * (the 1-hour pre-briefing of 003, the 4-hour urgent report of 003, the 24-hour reminder of 002)
 * are plain clock time and ignore office hours and holidays.
 */
import { WorkingCalendar } from './calendar';

/** The units a regulation counts time in. */
export const slaUnits = ['workingDays', 'workingHours', 'naturalHours', 'naturalMinutes'] as const;
export type SlaUnit = (typeof slaUnits)[number];

/**
 * A time limit, e.g. `{ amount: 5, unit: 'workingDays' }` (5个工作日) or
 * `{ amount: 1, unit: 'naturalHours' }` (1小时内). `workingDays` amounts are whole numbers.
 */
export type SlaDuration = { amount: number; unit: SlaUnit };

/** Shorthands for writing profiles and tests. */
export const workingDays = (amount: number): SlaDuration => ({ amount, unit: 'workingDays' });
export const workingHours = (amount: number): SlaDuration => ({ amount, unit: 'workingHours' });
export const naturalHours = (amount: number): SlaDuration => ({ amount, unit: 'naturalHours' });
export const naturalMinutes = (amount: number): SlaDuration => ({ amount, unit: 'naturalMinutes' });

/**
 * The deadline `duration` after `from`. Working days follow {@link WorkingCalendar.addWorkingDays}
 * (same time of day on the N-th following working day, counting from the next opening); working
 * hours follow {@link WorkingCalendar.addWorkingHours}; natural units add clock time.
 * A negative amount counts backwards (see {@link subtractDuration}).
 *
 * @example addDuration(cal, dispatchedAt, { amount: 1, unit: 'workingDays' }) // 000 sign deadline
 * @example addDuration(cal, receivedAt, { amount: 4, unit: 'naturalHours' })   // 003 urgent report
 */
export function addDuration(calendar: WorkingCalendar, from: Date | number, duration: SlaDuration): Date {
  const ms = typeof from === 'number' ? from : from.getTime();
  switch (duration.unit) {
    case 'workingDays':
      return calendar.addWorkingDays(ms, duration.amount);
    case 'workingHours':
      return calendar.addWorkingHours(ms, duration.amount);
    case 'naturalHours':
      return new Date(ms + Math.round(duration.amount * 60) * 60_000);
    case 'naturalMinutes':
      return new Date(ms + Math.round(duration.amount) * 60_000);
    default: {
      const unit: never = duration.unit;
      throw new RangeError(`unknown SLA unit ${String(unit)}`);
    }
  }
}

/**
 * The instant `duration` before `deadline`, e.g. an urge point "1 working day before the
 * completion deadline". Working days: same time of day on the N-th previous working day.
 */
export function subtractDuration(calendar: WorkingCalendar, deadline: Date | number, duration: SlaDuration): Date {
  return addDuration(calendar, deadline, { amount: -duration.amount, unit: duration.unit });
}

/**
 * The urge moments (催办) before a deadline, earliest first, dropping any before `notBefore`
 * (e.g. the dispatch time: an urge before the work started makes no sense).
 */
export function urgeTimes(
  calendar: WorkingCalendar,
  deadline: Date | number,
  pointsBeforeDeadline: readonly SlaDuration[],
  notBefore?: Date | number,
): Date[] {
  const floor = notBefore === undefined ? -Infinity : typeof notBefore === 'number' ? notBefore : notBefore.getTime();
  return pointsBeforeDeadline
    .map((p) => subtractDuration(calendar, deadline, p))
    .filter((t) => t.getTime() >= floor)
    .sort((a, b) => a.getTime() - b.getTime());
}

/** A duration in working minutes on this calendar (working days = full office days), for comparing. */
export function durationInWorkingMinutes(calendar: WorkingCalendar, duration: SlaDuration): number {
  switch (duration.unit) {
    case 'workingDays':
      return duration.amount * calendar.workingMinutesPerDay;
    case 'workingHours':
      return Math.round(duration.amount * 60);
    case 'naturalHours':
      return Math.round(duration.amount * 60);
    case 'naturalMinutes':
      return Math.round(duration.amount);
  }
}
