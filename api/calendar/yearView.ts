/**
 * One year of the working calendar as the administrator's year view shows it (issue 14): every
 * day off and make-up workday with where it comes from (the official import, the holiday library,
 * the statutory days of a provisional year) and the hotline's own exceptions on top, each named.
 */
import chineseDays from 'chinese-days';
import { yearSource, libraryYear, type CalendarException, type YearSource } from '../../domain/holidays';
import { NoticeError, parseHolidayNotice } from '../../domain/notice';
import { statutoryHolidays } from '../../domain/statutory';
import type { StoredOfficialYear } from './repository';

/** A day that is not an ordinary weekday or weekend. */
export interface YearViewDay {
  /** `YYYY-MM-DD`, local date. */
  date: string;
  /** What the day is for deadlines: a day off (休) or a working day on a weekend or holiday (班). */
  kind: 'holiday' | 'workday';
  /** Where it comes from; `exception`: the hotline's own, which wins over the national schedule. */
  origin: YearSource | 'exception';
  /** The holiday's name (春节 …), where known. */
  name?: string;
  /** The exception's note. */
  note?: string;
  /** A statutory day of a year with no published schedule yet (暂定). */
  provisional: boolean;
  /** For an exception: what the national schedule says of the day (absent: an ordinary day). */
  nationally?: 'holiday' | 'workday';
}

export interface YearView {
  year: number;
  source: YearSource;
  /** The official import of the year, if any. */
  import?: { version: number; importedAt: string; importedBy: string; format: string };
  days: YearViewDay[];
}

/** The holiday names of an official import, by day (re-read from the stored notice text). */
function officialNames(o: StoredOfficialYear): Map<string, string> {
  const names = new Map<string, string>();
  if (o.noticeText === null) return names;
  try {
    for (const item of parseHolidayNotice(o.noticeText, o.year).items) for (const d of item.daysOff) names.set(d, item.name);
  } catch (error) {
    if (!(error instanceof NoticeError)) throw error; // stored only after it parsed: cannot happen
  }
  return names;
}

/** The library's Chinese holiday name of a day (`National Day,国庆节,3` → 国庆节). */
const libraryName = (date: string): string | undefined => chineseDays.getDayDetail(date).name.split(',')[1] || undefined;

/** Builds the year view of `year` from the official imports and the hotline's exceptions. */
export function yearView(year: number, official: readonly StoredOfficialYear[], exceptions: readonly CalendarException[]): YearView {
  const source = yearSource(year, official);
  const days = new Map<string, YearViewDay>();
  const inYear = (d: string) => d.startsWith(`${year}-`);
  if (source === 'provisional') {
    for (const h of statutoryHolidays(year)) {
      for (const date of h.days) {
        // Two holidays may share a day (中秋节 on 国庆节 in 2028): name both.
        const name = days.has(date) ? `${days.get(date)!.name}、${h.name}` : h.name;
        days.set(date, { date, kind: 'holiday', origin: 'provisional', name, provisional: true });
      }
    }
  } else {
    const stored = official.find((o) => o.year === year);
    const schedule = stored ?? libraryYear(year);
    const names = stored ? officialNames(stored) : undefined;
    for (const date of schedule.holidays.filter(inYear)) {
      days.set(date, { date, kind: 'holiday', origin: source, provisional: false, ...nameOf(names ? names.get(date) : libraryName(date)) });
    }
    for (const date of schedule.makeUpWorkdays.filter(inYear)) days.set(date, { date, kind: 'workday', origin: source, provisional: false });
  }
  for (const e of exceptions.filter((x) => inYear(x.date))) {
    const national = days.get(e.date);
    days.set(e.date, {
      date: e.date,
      kind: e.kind,
      origin: 'exception',
      provisional: false,
      ...(e.note ? { note: e.note } : {}),
      ...nameOf(national?.name),
      ...(national ? { nationally: national.kind } : {}),
    });
  }
  const stored = official.find((o) => o.year === year);
  return {
    year,
    source,
    ...(stored ? { import: { version: stored.version, importedAt: stored.importedAt, importedBy: stored.importedBy, format: stored.source } } : {}),
    days: [...days.values()].sort((a, b) => a.date.localeCompare(b.date)),
  };
}

const nameOf = (name: string | undefined) => (name ? { name } : {});
