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
 * For a year the library does not carry yet (e.g. 2027 before an update ships), a hotline enters
 * the schedule itself as {@link CalendarException}s; exceptions always win over the library.
 */
import chineseDays from 'chinese-days';
import { z } from 'zod';
import { CalendarData, OfficePeriod, chinaUtcOffsetMinutes, defaultOfficeHours } from './calendar';
import { calendarDataSchema } from './dataSchemas';

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
  date: z.iso.date(),
  kind: z.enum(['holiday', 'workday']),
  note: z.string().trim().max(500).optional(),
});

const DAY = 86_400_000;

function ymd(dayNumber: number): string {
  return new Date(dayNumber * DAY).toISOString().slice(0, 10);
}

/**
 * Whether `chinese-days` carries the State Council schedule for `year`. New Year's Day is a
 * statutory holiday every year, so a year without it has no data (the library then reports
 * plain weekdays).
 */
export function libraryCoversYear(year: number): boolean {
  return chineseDays.isHoliday(`${year}-01-01`);
}

/**
 * The calendar data for `fromYear`..`toYear` (inclusive): the national holidays and make-up
 * workdays from `chinese-days`, then the hotline's `exceptions` applied on top (they win).
 *
 * `coversYears` is the range of years, from `fromYear`, for which there is data: a year counts
 * if the library carries it or the hotline entered at least one exception in it (a hotline that
 * enters next year's schedule before the library ships it must enter the whole schedule).
 * Throws `RangeError` if `fromYear` has no data at all or the range is inverted.
 *
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
}): CalendarData {
  const { fromYear, toYear } = options;
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
    throw new RangeError(`buildCalendarData: invalid year range ${fromYear}..${toYear}`);
  }
  const exceptions = (options.exceptions ?? []).map((e) => calendarExceptionSchema.parse(e));
  const exceptionYears = new Set(exceptions.map((e) => Number(e.date.slice(0, 4))));

  let coveredTo = fromYear - 1;
  for (let y = fromYear; y <= toYear; y++) {
    if (!libraryCoversYear(y) && !exceptionYears.has(y)) break;
    coveredTo = y;
  }
  if (coveredTo < fromYear) {
    throw new RangeError(
      `buildCalendarData: no holiday data for ${fromYear}: chinese-days does not carry it and no exceptions were given`,
    );
  }

  const holidays = new Set<string>();
  const makeUp = new Set<string>();
  const first = Date.UTC(fromYear, 0, 1) / DAY;
  const last = Date.UTC(coveredTo, 11, 31) / DAY;
  for (let d = first; d <= last; d++) {
    const date = ymd(d);
    if (!libraryCoversYear(Number(date.slice(0, 4)))) continue;
    const weekday = new Date(d * DAY).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const detail = chineseDays.getDayDetail(date);
    if (!detail.work && !weekend) holidays.add(date);
    else if (!detail.work && weekend && chineseDays.isHoliday(date) && detail.name.includes(',')) holidays.add(date); // statutory, on a weekend
    else if (detail.work && weekend) makeUp.add(date);
  }
  for (const e of exceptions) {
    const y = Number(e.date.slice(0, 4));
    if (y < fromYear || y > coveredTo) continue;
    if (e.kind === 'holiday') {
      holidays.add(e.date);
      makeUp.delete(e.date);
    } else {
      makeUp.add(e.date);
      holidays.delete(e.date);
    }
  }
  return calendarDataSchema.parse({
    utcOffsetMinutes: chinaUtcOffsetMinutes,
    officeHours: options.officeHours ?? defaultOfficeHours,
    holidays: [...holidays].sort(),
    makeUpWorkdays: [...makeUp].sort(),
    coversYears: [fromYear, coveredTo],
  }) as CalendarData;
}
