/**
 * The holiday data set against the State Council's notice, and a hotline's own exceptions.
 *
 * 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 2025-11-04), transcribed:
 *   元旦 1月1日(周四)至3日(周六)放假, 1月4日(周日)上班
 *   春节 2月15日(周日)至23日(周一)放假, 2月14日(周六)、2月28日(周六)上班
 *   清明节 4月4日(周六)至6日(周一)
 *   劳动节 5月1日(周五)至5日(周二)放假, 5月9日(周六)上班
 *   端午节 6月19日(周五)至21日(周日)
 *   中秋节 9月25日(周五)至27日(周日)
 *   国庆节 10月1日(周四)至7日(周三)放假, 9月20日(周日)、10月10日(周六)上班
 */
import { WorkingCalendar } from '../../domain/calendar';
import { buildCalendarData, libraryCoversYear } from '../../domain/holidays';

function range(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(from + 'T00:00:00Z'); d <= Date.parse(to + 'T00:00:00Z'); d += 86_400_000) {
    out.push(new Date(d).toISOString().slice(0, 10));
  }
  return out;
}

const notice2026 = {
  daysOff: [
    ...range('2026-01-01', '2026-01-03'),
    ...range('2026-02-15', '2026-02-23'),
    ...range('2026-04-04', '2026-04-06'),
    ...range('2026-05-01', '2026-05-05'),
    ...range('2026-06-19', '2026-06-21'),
    ...range('2026-09-25', '2026-09-27'),
    ...range('2026-10-01', '2026-10-07'),
  ],
  makeUpWorkdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
};

describe('chinese-days against the 2026 notice', () => {
  const data = buildCalendarData({ fromYear: 2026, toYear: 2026 });

  test('every day off and every make-up workday of the notice, and nothing else', () => {
    expect(data.holidays).toEqual(notice2026.daysOff);
    expect(data.makeUpWorkdays).toEqual(notice2026.makeUpWorkdays);
    expect(data.coversYears).toEqual([2026, 2026]);
  });

  // weekday holidays: Jan 1–2 (2), Feb 16–20 + 23 (6), Apr 6 (1), May 1, 4, 5 (3), Jun 19 (1), Sep 25 (1), Oct 1, 2, 5, 6, 7 (5) = 19
  test('248 working days in 2026 (261 weekdays − 19 weekday holidays + 6 make-up days)', () => {
    const cal = new WorkingCalendar(data);
    const working = range('2026-01-01', '2026-12-31').filter((d) => cal.isWorkingDay(cal.at(d, '10:00')));
    expect(working).toHaveLength(261 - 19 + 6);
  });

  test('the library carries 2026 but not yet 2027 (gap: a hotline enters 2027 itself)', () => {
    expect(libraryCoversYear(2026)).toBe(true);
    expect(libraryCoversYear(2027)).toBe(false);
  });
});

describe("a hotline's exceptions win over the library", () => {
  const exceptions = [
    { date: '2026-12-31', kind: 'holiday' as const, note: '县政府决定 (illustrative)' },
    { date: '2026-03-07', kind: 'workday' as const, note: 'Saturday duty day' },
    { date: '2026-10-07', kind: 'workday' as const, note: 'the hotline works the last day of National Day' },
  ];
  const cal = new WorkingCalendar(buildCalendarData({ fromYear: 2026, toYear: 2026, exceptions }));
  const show = (d: Date) => `${cal.localDate(d)} ${cal.localTime(d)}`;

  test.each([
    ['2026-12-31', false],
    ['2026-03-07', true],
    ['2026-10-07', true],
    ['2026-10-06', false],
  ])('%s working day = %s', (date, expected) => {
    expect(cal.isWorkingDay(cal.at(date, '10:00'))).toBe(expected);
  });

  test('deadlines move with them', () => {
    expect(show(cal.addWorkingDays(cal.at('2026-03-06', '11:59'), 1))).toBe('2026-03-07 11:59');
    expect(show(cal.addWorkingDays(cal.at('2026-09-30', '10:00'), 1))).toBe('2026-10-07 10:00');
  });
});

describe("years the library does not carry are provisional, never refused (issue 10)", () => {
  // A single exception in 2027 does not make 2027 official (test/domain/calendarYears.test.ts).
  const next = [{ date: '2027-01-04', kind: 'holiday' as const, note: '县政府决定 (illustrative)' }];

  test('the range spans both years, 2027 marked provisional', () => {
    const data = buildCalendarData({ fromYear: 2026, toYear: 2027, exceptions: next });
    expect(data.coversYears).toEqual([2026, 2027]);
    expect(data.provisionalYears).toEqual([2027]);
  });

  test('a deadline crosses the year end on the statutory 元旦 and the exception', () => {
    const cal = new WorkingCalendar(buildCalendarData({ fromYear: 2026, toYear: 2027, exceptions: next }));
    const due = cal.addWorkingDays(cal.at('2026-12-31', '15:00'), 1);
    expect(`${cal.localDate(due)} ${cal.localTime(due)}`).toBe('2027-01-05 15:00');
    expect(cal.isCovered(due)).toBe(false);
  });

  test('a year with no data at all is built from the law, not refused', () => {
    expect(buildCalendarData({ fromYear: 2031, toYear: 2031 }).provisionalYears).toEqual([2031]);
  });

  test('a malformed exception is refused', () => {
    expect(() => buildCalendarData({ fromYear: 2026, toYear: 2026, exceptions: [{ date: '2026-13-01', kind: 'holiday' }] })).toThrow();
  });
});
