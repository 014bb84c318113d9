/**
 * Builds {@link CalendarData} from the national holiday schedule and a hotline's own exceptions.
 *
 * NOT workflow-safe: it reads the `chinese-days` library (its bundled data set). Call it in an
 * activity, the API or at start-up, and pass the resulting JSON into workflows.
 *
 * Why `chinese-days`: it carries every State Council holiday notice (国务院办公厅关于节假日安排的
 * 通知) from 2004 with the make-up workdays (调休上班) as data, each year annotated with the notice's
 * URL, is updated automatically when a notice appears, and is already a dependency. Version 1.5.7
 * covers 2004–2026; the 2026 data matches 国办发明电〔2025〕7号 (see test/domain/holidays.test.ts).
 * For a year the library does not carry yet (e.g. 2027 before an update ships), an administrator
 * imports the notice (domain/notice.ts, stored as an official year); until then the year is
 * provisional (domain/statutory.ts). A hotline's own {@link CalendarException}s always win.
 */
import chineseDays from 'chinese-days';
import { z } from 'zod';
import { CalendarData, OfficePeriod, chinaUtcOffsetMinutes, defaultOfficeHours } from './calendar';
import { calendarDataSchema } from './dataSchemas';
import type { OfficialYear } from './notice';
import { statutoryHolidays } from './statutory';
import { isoDateSchema } from './storableSchemas';

/** A hotline's own change to the national schedule: an extra day off, or an extra workday. */
export interface CalendarException {
  /** `'YYYY-MM-DD'`, local date. */
  date: string;
  /** `holiday`: no work that day; `workday`: a working day even if weekend or national holiday. */
  kind: 'holiday' | 'workday';
  note?: string;
}

/** zod schema of {@link CalendarException}, for the API. */
export const calendarExceptionSchema = z.object({
  date: isoDateSchema(),
  kind: z.enum(['holiday', 'workday']),
  note: z.string().trim().max(500).optional(),
});

const DAY = 86_400_000;

function ymd(dayNumber: number): string {
  return new Date(dayNumber * DAY).toISOString().slice(0, 10);
}

/**
 * Whether `chinese-days` carries the State Council schedule for `year`. New Year's Day is a
 * statutory holiday every year, so a year without it named has no data (the library then
 * reports plain weekdays and weekends).
 */
export function libraryCoversYear(year: number): boolean {
  // isHoliday() is also true on any weekend (2028-01-01 is a Saturday): ask for the named holiday.
  return chineseDays.getDayDetail(`${year}-01-01`).name.includes(',');
}

/** Where a year's schedule comes from, by precedence: an official import, the library, the law. */
export type YearSource = 'official' | 'library' | 'provisional';

/**
 * Where the schedule of `year` comes from: an official import for it wins (an administrator
 * pasted the notice), then the library, else the statutory days (provisional).
 */
export function yearSource(year: number, official: readonly OfficialYear[] = []): YearSource {
  if (official.some((o) => o.year === year)) return 'official';
  return libraryCoversYear(year) ? 'library' : 'provisional';
}

/** The library's schedule of one year it carries (days off on weekdays and weekends, 调休上班). */
export function libraryYear(year: number): OfficialYear {
  const holidays: string[] = [];
  const makeUp: string[] = [];
  for (let d = Date.UTC(year, 0, 1) / DAY; d <= Date.UTC(year, 11, 31) / DAY; d++) {
    const date = ymd(d);
    const weekday = new Date(d * DAY).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const detail = chineseDays.getDayDetail(date);
    if (!detail.work && !weekend) holidays.push(date);
    else if (!detail.work && weekend && chineseDays.isHoliday(date) && detail.name.includes(',')) holidays.push(date); // statutory, on a weekend
    else if (detail.work && weekend) makeUp.push(date);
  }
  return { year, holidays, makeUpWorkdays: makeUp };
}

/**
 * The calendar data for `fromYear`..`toYear` (inclusive). Each year's schedule comes from an
 * `official` import for it, else the `chinese-days` library, else the statutory days of
 * 《全国年节及纪念日放假办法》 (domain/statutory.ts; the year is then listed in
 * `provisionalYears`). The hotline's `exceptions` are applied on top (they win) but never make a
 * year official. Never throws for lack of data: creation must not stop.
 *
 * @throws RangeError for an inverted range
 * @example
 * const data = buildCalendarData({ fromYear: 2026, toYear: 2026,
 *   exceptions: [{ date: '2026-12-31', kind: 'holiday', note: '县政府决定' }] });
 * new WorkingCalendar(data).isWorkingDay(new Date('2026-12-31T03:00:00Z')); // false
 */
export function buildCalendarData(options: {
  fromYear: number;
  toYear: number;
  officeHours?: OfficePeriod[];
  exceptions?: CalendarException[];
  official?: readonly OfficialYear[];
}): CalendarData {
  const { fromYear, toYear } = options;
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
    throw new RangeError(`buildCalendarData: invalid year range ${fromYear}..${toYear}`);
  }
  const exceptions = (options.exceptions ?? []).map((e) => calendarExceptionSchema.parse(e));
  const official = options.official ?? [];
  const holidays = new Set<string>();
  const makeUp = new Set<string>();
  const provisionalYears: number[] = [];
  for (let y = fromYear; y <= toYear; y++) {
    const source = yearSource(y, official);
    if (source === 'provisional') {
      provisionalYears.push(y);
      for (const h of statutoryHolidays(y)) for (const d of h.days) holidays.add(d);
      continue;
    }
    const schedule = source === 'official' ? official.find((o) => o.year === y)! : libraryYear(y);
    // A notice may name a day of the neighbouring year (e.g. 2018-12-30 in the 2019 notice).
    for (const d of schedule.holidays) holidays.add(d);
    for (const d of schedule.makeUpWorkdays) makeUp.add(d);
  }
  for (const e of exceptions) {
    const y = Number(e.date.slice(0, 4));
    if (y < fromYear || y > toYear) continue;
    if (e.kind === 'holiday') {
      holidays.add(e.date);
      makeUp.delete(e.date);
    } else {
      makeUp.add(e.date);
      holidays.delete(e.date);
    }
  }
  const inRange = (d: string) => Number(d.slice(0, 4)) >= fromYear && Number(d.slice(0, 4)) <= toYear;
  return calendarDataSchema.parse({
    utcOffsetMinutes: chinaUtcOffsetMinutes,
    officeHours: options.officeHours ?? defaultOfficeHours,
    holidays: [...holidays].filter(inRange).sort(),
    makeUpWorkdays: [...makeUp].filter(inRange).sort(),
    coversYears: [fromYear, toYear],
    ...(provisionalYears.length ? { provisionalYears } : {}),
  }) as CalendarData;
}
