/**
 * The working-time calendar on real 2026 dates (国办发明电〔2025〕7号, via chinese-days), office hours
 * 08:30–12:00 and 14:00–17:30, Asia/Shanghai. Times in the tables are local 'YYYY-MM-DD HH:MM'.
 */
import { WorkingCalendar } from '../../domain/calendar';
import { calendarDataSchema } from '../../domain/dataSchemas';
import { buildCalendarData } from '../../domain/holidays';

const cal = new WorkingCalendar(buildCalendarData({ fromYear: 2025, toYear: 2026 }));

/** Local 'YYYY-MM-DD HH:MM' → Date. */
const at = (s: string): Date => cal.at(s.slice(0, 10), s.slice(11, 16));
/** Date → local 'YYYY-MM-DD HH:MM'. */
const show = (d: Date): string => `${cal.localDate(d)} ${cal.localTime(d)}`;

describe('working days and working time', () => {
  test.each([
    ['2026-02-13 10:00', true, 'Friday before the Spring Festival'],
    ['2026-02-14 10:00', true, 'make-up Saturday (春节 调休上班)'],
    ['2026-02-15 10:00', false, 'Spring Festival, Sunday'],
    ['2026-02-16 10:00', false, 'Spring Festival, Monday'],
    ['2026-02-23 10:00', false, 'last day of the Spring Festival, Monday'],
    ['2026-02-24 10:00', true, 'first Tuesday after'],
    ['2026-02-28 10:00', true, 'make-up Saturday after the Spring Festival'],
    ['2026-03-07 10:00', false, 'ordinary Saturday'],
    ['2026-09-20 10:00', true, 'make-up Sunday before National Day'],
    ['2026-10-01 10:00', false, 'National Day'],
    ['2026-10-07 10:00', false, 'last day of the National Day holiday, Wednesday'],
    ['2026-10-08 10:00', true, 'Thursday after National Day'],
    ['2026-10-10 10:00', true, 'make-up Saturday after National Day'],
    ['2026-01-01 10:00', false, "New Year's Day"],
    ['2026-01-04 10:00', true, "make-up Sunday after New Year's Day"],
    ['2026-05-09 10:00', true, 'make-up Saturday after Labour Day'],
  ])('%s working day = %s (%s)', (t, expected) => {
    expect(cal.isWorkingDay(at(t))).toBe(expected);
  });

  test.each([
    ['2026-03-09 08:29', false],
    ['2026-03-09 08:30', true], // periods include their start
    ['2026-03-09 11:59', true],
    ['2026-03-09 12:00', false], // ... and exclude their end
    ['2026-03-09 13:59', false],
    ['2026-03-09 14:00', true],
    ['2026-03-09 17:29', true],
    ['2026-03-09 17:30', false],
    ['2026-02-14 09:00', true], // make-up Saturday
    ['2026-02-17 09:00', false], // holiday
  ])('%s working time = %s', (t, expected) => {
    expect(cal.isWorkingTime(at(t))).toBe(expected);
  });

  test.each([
    ['2026-03-09 10:00', '2026-03-09 10:00', 'working time: itself'],
    ['2026-03-09 07:00', '2026-03-09 08:30', 'early morning'],
    ['2026-03-09 12:00', '2026-03-09 14:00', 'lunch'],
    ['2026-03-06 19:40', '2026-03-09 08:30', 'Friday evening'],
    ['2026-02-13 18:00', '2026-02-14 08:30', 'Friday evening before a make-up Saturday'],
    ['2026-02-14 17:30', '2026-02-24 08:30', 'closing of the make-up Saturday, over the Spring Festival'],
    ['2026-09-30 18:00', '2026-10-08 08:30', 'eve of National Day'],
    ['2025-12-31 17:45', '2026-01-04 08:30', 'New Year: across the year end to a make-up Sunday'],
  ])('nextOpening(%s) = %s (%s)', (t, expected) => {
    expect(show(cal.nextOpening(at(t)))).toBe(expected);
  });
});

describe('addWorkingDays: same time of day on the N-th following working day, from the next opening', () => {
  test.each([
    ['2026-03-03 10:15', 1, '2026-03-04 10:15', 'plain Tuesday'],
    ['2026-03-06 19:40', 1, '2026-03-10 08:30', 'Friday evening: counting starts Monday 08:30'],
    ['2026-03-06 16:00', 1, '2026-03-09 16:00', 'Friday afternoon → Monday'],
    ['2026-03-09 11:59', 1, '2026-03-10 11:59', '11:59 before lunch stays 11:59'],
    ['2026-03-09 12:00', 1, '2026-03-10 14:00', '12:00 is lunch: counting starts 14:00'],
    ['2026-03-09 12:30', 1, '2026-03-10 14:00', 'lunch'],
    ['2026-03-09 17:30', 1, '2026-03-11 08:30', 'closing time: counting starts next morning'],
    ['2026-03-09 08:30', 1, '2026-03-10 08:30', 'opening time'],
    ['2026-02-13 11:59', 1, '2026-02-14 11:59', 'Spring Festival: make-up Saturday counts'],
    ['2026-02-14 11:59', 1, '2026-02-24 11:59', 'Spring Festival: skips Feb 15–23'],
    ['2026-02-12 10:00', 5, '2026-02-26 10:00', 'Spring Festival: 13, 14, 24, 25, 26'],
    ['2026-02-26 10:00', 2, '2026-02-28 10:00', 'second make-up Saturday'],
    ['2026-02-13 18:00', 1, '2026-02-24 08:30', 'Friday evening before the Spring Festival'],
    ['2026-02-17 10:00', 1, '2026-02-25 08:30', 'request on a holiday'],
    ['2026-09-18 16:00', 1, '2026-09-20 16:00', 'National Day: make-up Sunday counts'],
    ['2026-09-29 11:59', 2, '2026-10-08 11:59', 'National Day: Sep 30, then Oct 8'],
    ['2026-10-01 09:00', 1, '2026-10-09 08:30', 'request on National Day'],
    ['2026-10-09 15:00', 1, '2026-10-10 15:00', 'make-up Saturday after National Day'],
    ['2026-09-24 10:00', 7, '2026-10-12 10:00', 'Mid-Autumn + National Day: Sep 28, 29, 30, Oct 8, 9, 10 (Sat), 12'],
    ['2025-12-31 10:00', 1, '2026-01-04 10:00', 'across the year end: Jan 1–3 off, Sunday Jan 4 works'],
    ['2025-12-30 16:00', 3, '2026-01-05 16:00', 'across the year end: 31, Jan 4, Jan 5'],
    ['2026-03-09 10:00', 10, '2026-03-23 10:00', 'ten working days'],
    ['2026-03-09 10:00', 0, '2026-03-09 10:00', 'zero days: the start itself'],
    ['2026-03-07 10:00', 0, '2026-03-09 08:30', 'zero days from a Saturday: the next opening'],
  ])('%s + %i working days = %s (%s)', (t, n, expected) => {
    expect(show(cal.addWorkingDays(at(t), n))).toBe(expected);
  });

  test.each([
    ['2026-03-10 10:00', -1, '2026-03-09 10:00'],
    ['2026-02-24 10:00', -1, '2026-02-14 10:00'], // back over the Spring Festival
    ['2026-03-09 07:00', -1, '2026-03-05 17:30'], // before opening: from Friday's closing
  ])('%s %i working days = %s (backwards)', (t, n, expected) => {
    expect(show(cal.addWorkingDays(at(t), n))).toBe(expected);
  });

  test('rejects fractional days', () => {
    expect(() => cal.addWorkingDays(at('2026-03-09 10:00'), 1.5)).toThrow(RangeError);
  });
});

describe('addWorkingHours: exact to the minute, lunch and nights do not count', () => {
  test.each([
    ['2026-03-09 11:00', 3, '2026-03-09 16:00', 'across lunch: 1 h before, 2 h after'],
    ['2026-03-09 09:00', 3, '2026-03-09 12:00', 'ends exactly at the period end'],
    ['2026-03-06 16:30', 3, '2026-03-09 10:30', 'Friday afternoon → Monday'],
    ['2026-03-06 19:00', 3, '2026-03-09 11:30', 'Friday evening: from Monday 08:30'],
    ['2026-02-13 16:00', 3, '2026-02-14 10:00', '004 sign window into the make-up Saturday'],
    ['2026-02-14 17:00', 1, '2026-02-24 09:00', 'over the Spring Festival'],
    ['2026-03-09 09:00', 0.5, '2026-03-09 09:30', 'half an hour'],
    ['2026-03-09 09:00', 1 / 3, '2026-03-09 09:20', 'a third of an hour'],
    ['2026-03-09 11:59', 0.25, '2026-03-09 14:14', '11:59 + 15 min: 1 before lunch, 14 after'],
    ['2026-03-09 08:30', 70, '2026-03-20 17:30', 'ten full working days of 7 h'],
    ['2025-12-31 17:00', 1, '2026-01-04 09:00', 'across the year end'],
    ['2026-03-09 09:00', -1, '2026-03-06 17:00', 'backwards over a weekend'],
    ['2026-03-09 14:30', -1, '2026-03-09 11:30', 'backwards over lunch'],
  ])('%s + %f working hours = %s (%s)', (t, h, expected) => {
    expect(show(cal.addWorkingHours(at(t), h))).toBe(expected);
  });

  test('keeps seconds of the start', () => {
    const t = new Date(at('2026-03-09 09:00').getTime() + 17_000);
    expect(cal.addWorkingHours(t, 1).getTime() - at('2026-03-09 10:00').getTime()).toBe(17_000);
  });
});

describe('workingMinutesBetween: how late, in working time', () => {
  test.each([
    ['2026-03-06 17:00', '2026-03-09 09:00', 60],
    ['2026-03-09 09:00', '2026-03-06 17:00', -60],
    ['2026-03-09 11:00', '2026-03-09 15:00', 120],
    ['2026-03-09 12:10', '2026-03-09 13:50', 0],
    ['2026-02-13 17:00', '2026-02-24 09:00', 30 + 420 + 30],
    ['2026-02-16 10:00', '2026-02-17 10:00', 0],
    ['2026-09-30 17:00', '2026-10-08 08:45', 30 + 15],
    ['2025-12-31 17:00', '2026-01-04 09:00', 60],
    ['2026-03-09 10:00', '2026-03-09 10:00', 0],
  ])('%s → %s = %i min', (a, b, expected) => {
    expect(cal.workingMinutesBetween(at(a), at(b))).toBe(expected);
  });

  test('inverts addWorkingHours on 2 000 pseudo-random starts through 2026', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const from = at('2026-01-01 00:00').getTime();
    for (let i = 0; i < 2000; i++) {
      const t = from + Math.floor(rand() * 360 * 86_400_000 / 60_000) * 60_000;
      const minutes = 1 + Math.floor(rand() * 5000);
      const end = cal.addWorkingHours(t, minutes / 60);
      expect(cal.workingMinutesBetween(t, end)).toBe(minutes);
      // earliest instant: one minute earlier is not enough
      expect(cal.workingMinutesBetween(t, end.getTime() - 60_000)).toBe(minutes - 1);
    }
  });

  test('addWorkingDays keeps one full day of working time between start and result', () => {
    for (const t of ['2026-02-13 11:59', '2026-09-29 15:10', '2025-12-31 10:00']) {
      expect(cal.workingMinutesBetween(at(t), cal.addWorkingDays(at(t), 1))).toBe(cal.workingMinutesPerDay);
    }
  });
});

describe('calendar data', () => {
  test('rejects overlapping or malformed office hours', () => {
    const base = buildCalendarData({ fromYear: 2026, toYear: 2026 });
    expect(() => new WorkingCalendar({ ...base, officeHours: [{ start: '08:30', end: '12:00' }, { start: '11:00', end: '17:00' }] })).toThrow(
      /overlap/,
    );
    expect(() => new WorkingCalendar({ ...base, officeHours: [{ start: '8:30', end: '12:00' }] })).toThrow(/HH:MM/);
    expect(calendarDataSchema.safeParse({ ...base, officeHours: [{ start: '14:00', end: '12:00' }] }).success).toBe(false);
  });

  test('a different office day (09:00–17:00, no lunch) changes the arithmetic', () => {
    const c = new WorkingCalendar({ ...buildCalendarData({ fromYear: 2026, toYear: 2026 }), officeHours: [{ start: '09:00', end: '17:00' }] });
    expect(c.localTime(c.addWorkingHours(c.at('2026-03-09', '11:00'), 3))).toBe('14:00');
    expect(c.workingMinutesPerDay).toBe(480);
  });

  test('is plain JSON: survives a round trip', () => {
    const data = buildCalendarData({ fromYear: 2026, toYear: 2026 });
    const copy = new WorkingCalendar(JSON.parse(JSON.stringify(data)));
    expect(show(copy.addWorkingDays(at('2026-02-13 11:59'), 1))).toBe('2026-02-14 11:59');
  });

  test('outside the covered years only weekends are known', () => {
    const c = new WorkingCalendar(buildCalendarData({ fromYear: 2026, toYear: 2026 }));
    expect(c.isCovered(at('2026-06-01 10:00'))).toBe(true);
    expect(c.isCovered(at('2027-01-01 10:00'))).toBe(false);
  });

  test.each(['2026-3-09', '2026-03-9', '2026/03/09', '20260309', '2026-03-09 ', '２０２６-03-09', '2026-0a-09', ''])(
    'a date that is not YYYY-MM-DD (%j) is refused',
    (date) => {
      const data = buildCalendarData({ fromYear: 2026, toYear: 2026 });
      expect(() => new WorkingCalendar({ ...data, holidays: [...data.holidays, date] })).toThrow(RangeError);
      expect(() => cal.at(date, '10:00')).toThrow(RangeError);
    },
  );

  test('dates are read as their days, also at the ends of months and years', () => {
    const c = new WorkingCalendar({ ...buildCalendarData({ fromYear: 2026, toYear: 2026 }), holidays: ['2026-12-31', '2026-02-27'], makeUpWorkdays: ['2026-03-01'] });
    expect(c.isWorkingDay(c.at('2026-12-31', '10:00'))).toBe(false);
    expect(c.isWorkingDay(c.at('2026-12-30', '10:00'))).toBe(true);
    expect(c.isWorkingDay(c.at('2026-02-27', '10:00'))).toBe(false);
    expect(c.isWorkingDay(c.at('2026-03-01', '10:00'))).toBe(true);
    expect(c.localDate(c.at('2027-01-01', '10:00'))).toBe('2027-01-01');
  });
});
