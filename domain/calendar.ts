/**
 * The working-time calendar (工作日 / 工作时间) every deadline of the regulations is counted on.
 *
 * Pure, deterministic and workflow-safe: no Node built-ins, no I/O, no `Intl`, no `Date.now()`.
 * The calendar is built from plain JSON ({@link CalendarData}) that an activity or the API builds
 * once with `buildCalendarData` (domain/holidays.ts, which uses the `chinese-days` library) and
 * passes into the workflow as input, so a replay always sees the same calendar.
 *
 * Local time is a fixed UTC offset (China has had no daylight saving time since 1991), so the
 * arithmetic is plain integer arithmetic on milliseconds.
 *
 * ## Definitions
 * - **Working day**: a date listed in `makeUpWorkdays` (调休上班), or else a Monday–Friday not
 *   listed in `holidays`.
 * - **Working time**: an instant on a working day inside one of the office periods; a period
 *   includes its start and excludes its end (08:30 is working time, 12:00 is not).
 * - **N working hours from t**: the earliest instant at which N·60 minutes of working time have
 *   elapsed since t. Time outside office hours does not count, so a request that arrives outside
 *   office hours starts counting at the next opening. A deadline can fall exactly on a period's
 *   end: 3 working hours from Monday 09:00 is Monday 12:00, not 14:00.
 * - **N working days from t**: the same local time of day on the N-th following working day,
 *   counted from `nextOpening(t)`. Examples with office hours 08:30–12:00 and 14:00–17:30:
 *   - Tue 2026-03-03 10:15 + 1 working day = Wed 2026-03-04 10:15.
 *   - Fri 2026-03-06 19:40 (after hours) → counting starts Mon 09 08:30 → + 1 = Tue 10 08:30.
 *   - Fri 2026-02-13 11:59 + 1 = Sat 2026-02-14 11:59 (a make-up workday of the Spring Festival).
 *   - Tue 2026-09-29 11:59 + 2 = Thu 2026-10-08 11:59 (Wed 09-30 is the first working day, Oct 1–7
 *     are the National Day holiday, Thu 10-08 is the second).
 *   - Thu 2026-10-01 09:00 (holiday) → counting starts Thu 10-08 08:30 → + 1 = Fri 10-09 08:30.
 *   - 12:30 (lunch) → counting starts at 14:00 that day, so + 1 working day = 14:00 the next one.
 *   Negative N counts backwards: the same time of day on the N-th previous working day, from t
 *   if it is working time, else from the last closing before t (useful for urge points).
 */

/** One office period of a day, local time, `'HH:MM'`; `start` inclusive, `end` exclusive. */
export interface OfficePeriod {
  start: string;
  end: string;
}

/**
 * Everything the calendar needs, as plain JSON (so it can be a workflow input and a DB row).
 * Build it with `buildCalendarData` (domain/holidays.ts); validate foreign input with
 * `calendarDataSchema` (domain/dataSchemas.ts).
 */
export interface CalendarData {
  /** Local time = UTC + this many minutes; 480 for Asia/Shanghai. */
  utcOffsetMinutes: number;
  /** Office periods of every working day, in order, not overlapping; e.g. 08:30–12:00, 14:00–17:30. */
  officeHours: OfficePeriod[];
  /** `'YYYY-MM-DD'` days off: statutory holidays (法定节假日) and the hotline's own days off. */
  holidays: string[];
  /** `'YYYY-MM-DD'` days that are workdays although weekend (调休上班) or listed in `holidays`. */
  makeUpWorkdays: string[];
  /**
   * Inclusive range of years the data spans. Outside it only weekends are known; inside it a year
   * is official (the State Council notice, from the library or an import) unless it is listed in
   * `provisionalYears`.
   */
  coversYears: [number, number];
  /**
   * Years of the range whose schedule is not published yet: their `holidays` are only the
   * statutory days of 《全国年节及纪念日放假办法》 (domain/statutory.ts), with no 调休. A deadline
   * counted across such a year is provisional (暂定).
   */
  provisionalYears?: number[];
}

/**
 * Office hours assumed when a hotline sets none: 08:30–12:00 and 14:00–17:30 (the example of
 * RULES.md; the seeds name no hours).
 */
export const defaultOfficeHours: OfficePeriod[] = [
  { start: '08:30', end: '12:00' },
  { start: '14:00', end: '17:30' },
];

/** Offset of Asia/Shanghai (China Standard Time, no DST). */
export const chinaUtcOffsetMinutes = 480;

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * `data` with `year`'s schedule replaced by an official one (its days off and make-up workdays);
 * other years, office hours and offset stay. The year stops being provisional; years between the
 * old range and `year` that have no data become provisional. Pure (workflow-safe).
 * @example withOfficialYear(data, 2027, notice.holidays, notice.makeUpWorkdays)
 */
export function withOfficialYear(data: CalendarData, year: number, holidays: readonly string[], makeUpWorkdays: readonly string[]): CalendarData {
  const inYear = (d: string) => d.startsWith(`${year}-`);
  const [from, to] = data.coversYears;
  const gaps: number[] = [];
  for (let y = to + 1; y < year; y++) gaps.push(y);
  for (let y = year + 1; y < from; y++) gaps.push(y);
  const provisional = [...(data.provisionalYears ?? []).filter((y) => y !== year), ...gaps].sort((a, b) => a - b);
  const next: CalendarData = {
    ...data,
    holidays: [...data.holidays.filter((d) => !inYear(d)), ...holidays.filter(inYear)].sort(),
    makeUpWorkdays: [...data.makeUpWorkdays.filter((d) => !inYear(d)), ...makeUpWorkdays.filter(inYear)].sort(),
    coversYears: [Math.min(from, year), Math.max(to, year)],
  };
  if (provisional.length) next.provisionalYears = provisional;
  else delete next.provisionalYears;
  return next;
}

interface Period {
  start: number; // ms after local midnight
  end: number;
}

function parseHHMM(s: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`office hours: '${s}' is not 'HH:MM'`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59 || minutes > 24 * 60) throw new RangeError(`office hours: '${s}' is not a time of day`);
  return minutes * MINUTE;
}

/** Day number (days since 1970-01-01) of a `'YYYY-MM-DD'` date. */
function dayNumberOf(date: string): number {
  // By character codes, not a RegExp match: every workflow builds its calendar from ~100 dates
  // when it starts or is loaded, and the match arrays were a few % of the workflow thread's
  // allocation per creation (issue 9). Accepts exactly /^\d{4}-\d{2}-\d{2}$/.
  const ok = typeof date === 'string' && date.length === 10 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45;
  const year = ok ? digitsAt(date, 0, 4) : -1;
  const month = ok ? digitsAt(date, 5, 7) : -1;
  const day = ok ? digitsAt(date, 8, 10) : -1;
  if (year < 0 || month < 0 || day < 0) throw new RangeError(`calendar: '${date}' is not 'YYYY-MM-DD'`);
  return Date.UTC(year, month - 1, day) / DAY;
}

/** The decimal number `text` spells from `from` to `to` (exclusive), or -1 if any is not an ASCII digit. */
function digitsAt(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function toMs(t: Date | number): number {
  const ms = typeof t === 'number' ? t : t.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('calendar: invalid date');
  return ms;
}

/**
 * Working-time arithmetic on one hotline's calendar. Immutable; cheap to build (a few sets).
 *
 * @example
 * const cal = new WorkingCalendar(data);
 * const signDeadline = cal.addWorkingDays(dispatchedAt, 1);
 * const lateMinutes = cal.workingMinutesBetween(signDeadline, signedAt); // > 0 when late
 */
export class WorkingCalendar {
  /** The data this calendar was built from. */
  readonly data: CalendarData;
  private readonly offsetMs: number;
  private readonly periods: Period[];
  private readonly dayTotal: number; // working ms of one working day
  private readonly holidays: Set<number>;
  private readonly makeUp: Set<number>;

  /**
   * @param data the calendar data; throws `RangeError` if office hours are malformed,
   *   out of order or overlapping, or a date is not `'YYYY-MM-DD'`.
   */
  constructor(data: CalendarData) {
    this.data = data;
    if (!Number.isInteger(data.utcOffsetMinutes)) throw new RangeError('calendar: utcOffsetMinutes must be an integer');
    this.offsetMs = data.utcOffsetMinutes * MINUTE;
    if (!data.officeHours.length) throw new RangeError('calendar: at least one office period is needed');
    this.periods = data.officeHours.map((p) => ({ start: parseHHMM(p.start), end: parseHHMM(p.end) }));
    this.periods.forEach((p, i) => {
      if (p.start >= p.end) throw new RangeError(`calendar: office period ${i} ends before it starts`);
      if (i > 0 && this.periods[i - 1].end > p.start) throw new RangeError('calendar: office periods overlap or are out of order');
    });
    this.dayTotal = this.periods.reduce((s, p) => s + p.end - p.start, 0);
    this.holidays = new Set(data.holidays.map(dayNumberOf));
    this.makeUp = new Set(data.makeUpWorkdays.map(dayNumberOf));
  }

  // ---- local-time helpers -------------------------------------------------------------------

  private split(ms: number): { day: number; tod: number } {
    const local = ms + this.offsetMs;
    const day = Math.floor(local / DAY);
    return { day, tod: local - day * DAY };
  }

  private join(day: number, tod: number): number {
    return day * DAY + tod - this.offsetMs;
  }

  private workingDayNumber(day: number): boolean {
    if (this.makeUp.has(day)) return true;
    if (this.holidays.has(day)) return false;
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
    return weekday >= 1 && weekday <= 5;
  }

  /** Working ms on a working day strictly before `tod`. */
  private workedBefore(tod: number): number {
    let sum = 0;
    for (const p of this.periods) {
      if (tod <= p.start) break;
      sum += Math.min(tod, p.end) - p.start;
    }
    return sum;
  }

  // ---- public API ---------------------------------------------------------------------------

  /** The local date `'YYYY-MM-DD'` of an instant. */
  localDate(t: Date | number): string {
    const { day } = this.split(toMs(t));
    return new Date(day * DAY).toISOString().slice(0, 10);
  }

  /** The local time of day `'HH:MM'` of an instant. */
  localTime(t: Date | number): string {
    const { tod } = this.split(toMs(t));
    return new Date(tod).toISOString().slice(11, 16);
  }

  /** The instant of a local date and time, e.g. `at('2026-02-13', '11:59')`. */
  at(date: string, time = '00:00'): Date {
    return new Date(this.join(dayNumberOf(date), parseHHMM(time)));
  }

  /**
   * Whether the holiday data is official for the year of `t`: inside `coversYears` and not
   * provisional (outside the range only weekends are known).
   */
  isCovered(t: Date | number): boolean {
    return !this.isYearProvisional(Number(this.localDate(t).slice(0, 4)));
  }

  /** Whether `year` has no official schedule here (provisional, or outside the data). */
  isYearProvisional(year: number): boolean {
    const [from, to] = this.data.coversYears;
    return year < from || year > to || (this.data.provisionalYears ?? []).includes(year);
  }

  /**
   * The provisional years (see {@link isYearProvisional}) a span of time touches, in order: a
   * deadline counted from `from` to `to` depends on exactly these years' schedules.
   */
  provisionalYearsBetween(from: Date | number, to: Date | number): number[] {
    const a = Number(this.localDate(Math.min(toMs(from), toMs(to))).slice(0, 4));
    const b = Number(this.localDate(Math.max(toMs(from), toMs(to))).slice(0, 4));
    const years: number[] = [];
    for (let y = a; y <= b; y++) if (this.isYearProvisional(y)) years.push(y);
    return years;
  }

  /** Whether the local date of `t` is a working day (make-up workdays count, holidays do not). */
  isWorkingDay(t: Date | number): boolean {
    return this.workingDayNumber(this.split(toMs(t)).day);
  }

  /** Whether `t` is working time: a working day, inside an office period (start in, end out). */
  isWorkingTime(t: Date | number): boolean {
    const { day, tod } = this.split(toMs(t));
    return this.workingDayNumber(day) && this.periods.some((p) => tod >= p.start && tod < p.end);
  }

  /**
   * The first instant of working time at or after `t`: `t` itself if it is working time.
   * @example nextOpening(Fri 18:00) = Mon 08:30 (or later if Monday is a holiday).
   */
  nextOpening(t: Date | number): Date {
    let { day, tod } = this.split(toMs(t));
    for (let guard = 0; guard < 3700; guard++, day++, tod = 0) {
      if (!this.workingDayNumber(day)) continue;
      for (const p of this.periods) {
        if (tod < p.end) return new Date(this.join(day, Math.max(tod, p.start)));
      }
    }
    throw new RangeError('calendar: no working time within ten years');
  }

  /**
   * The latest instant at or before `t` that ends some working time: `t` itself if it lies inside
   * an office period after its start, else the end of the last period before `t` (at an opening
   * such as Monday 08:30 that is the previous working day's closing). The mirror of
   * {@link nextOpening}, used when counting backwards.
   */
  previousClosing(t: Date | number): Date {
    let { day, tod } = this.split(toMs(t));
    for (let guard = 0; guard < 3700; guard++, day--, tod = DAY) {
      if (!this.workingDayNumber(day)) continue;
      for (let i = this.periods.length - 1; i >= 0; i--) {
        const p = this.periods[i];
        if (tod > p.start) return new Date(this.join(day, Math.min(tod, p.end)));
      }
    }
    throw new RangeError('calendar: no working time within ten years');
  }

  /**
   * `t` plus `hours` of working time, exact to the minute (the amount is rounded to whole
   * minutes; seconds of `t` are kept). Fractional hours are allowed; negative hours count back.
   * Skips whole days at once: cost grows with days, not minutes.
   * @example addWorkingHours(Mon 11:00, 3) = Mon 16:00 (lunch 12:00–14:00 does not count)
   * @example addWorkingHours(Fri 16:30, 3) = Mon 10:30
   */
  addWorkingHours(t: Date | number, hours: number): Date {
    if (!Number.isFinite(hours)) throw new RangeError('calendar: hours must be a finite number');
    const amount = Math.round(hours * 60) * MINUTE;
    const ms = toMs(t);
    if (amount === 0) return new Date(ms);
    return new Date(amount > 0 ? this.forward(ms, amount) : this.backward(ms, -amount));
  }

  private forward(ms: number, amount: number): number {
    let { day, tod } = this.split(ms);
    let remaining = amount;
    for (let guard = 0; guard < 40_000; guard++, day++, tod = 0) {
      if (!this.workingDayNumber(day)) continue;
      if (tod === 0 && remaining > this.dayTotal) {
        remaining -= this.dayTotal; // a whole working day at once
        continue;
      }
      for (const p of this.periods) {
        const from = Math.max(p.start, tod);
        if (from >= p.end) continue;
        const available = p.end - from;
        if (remaining <= available) return this.join(day, from + remaining);
        remaining -= available;
      }
    }
    throw new RangeError('calendar: amount too large');
  }

  private backward(ms: number, amount: number): number {
    let { day, tod } = this.split(ms);
    let remaining = amount;
    for (let guard = 0; guard < 40_000; guard++, day--, tod = DAY) {
      if (!this.workingDayNumber(day)) continue;
      if (tod === DAY && remaining > this.dayTotal) {
        remaining -= this.dayTotal;
        continue;
      }
      for (let i = this.periods.length - 1; i >= 0; i--) {
        const p = this.periods[i];
        const to = Math.min(p.end, tod);
        if (to <= p.start) continue;
        const available = to - p.start;
        if (remaining <= available) return this.join(day, to - remaining);
        remaining -= available;
      }
    }
    throw new RangeError('calendar: amount too large');
  }

  /**
   * The same local time of day on the `days`-th following working day, counted from
   * `nextOpening(t)` (see the module doc for examples). `days` must be an integer; 0 gives
   * `nextOpening(t)`; negative counts back from `previousClosing(t)`.
   * @example addWorkingDays(2026-02-13 11:59, 1) = 2026-02-14 11:59 (make-up Saturday)
   */
  addWorkingDays(t: Date | number, days: number): Date {
    if (!Number.isInteger(days)) throw new RangeError('calendar: days must be an integer (use addWorkingHours for fractions)');
    const start = days >= 0 ? this.nextOpening(t) : this.previousClosing(t);
    let { day } = this.split(start.getTime());
    const { tod } = this.split(start.getTime());
    const step = days >= 0 ? 1 : -1;
    for (let left = Math.abs(days), guard = 0; left > 0; guard++) {
      if (guard > 40_000) throw new RangeError('calendar: days too large');
      day += step;
      if (this.workingDayNumber(day)) left--;
    }
    return new Date(this.join(day, tod));
  }

  /**
   * Working time between `a` and `b` in minutes (fractional if the instants carry seconds);
   * negative if `b` is before `a`. Use it for "how late": `workingMinutesBetween(deadline, doneAt)`.
   * @example workingMinutesBetween(Fri 17:00, Mon 09:00) = 60 (30 on Friday, 30 on Monday)
   */
  workingMinutesBetween(a: Date | number, b: Date | number): number {
    const am = toMs(a);
    const bm = toMs(b);
    if (bm < am) return -this.workingMinutesBetween(bm, am);
    const A = this.split(am);
    const B = this.split(bm);
    let total: number;
    if (A.day === B.day) {
      total = this.workingDayNumber(A.day) ? this.workedBefore(B.tod) - this.workedBefore(A.tod) : 0;
    } else {
      total = this.workingDayNumber(A.day) ? this.dayTotal - this.workedBefore(A.tod) : 0;
      for (let d = A.day + 1; d < B.day; d++) if (this.workingDayNumber(d)) total += this.dayTotal;
      if (this.workingDayNumber(B.day)) total += this.workedBefore(B.tod);
    }
    return total / MINUTE;
  }

  /** Working minutes of one full working day (420 for 08:30–12:00 + 14:00–17:30). */
  get workingMinutesPerDay(): number {
    return this.dayTotal / MINUTE;
  }
}
