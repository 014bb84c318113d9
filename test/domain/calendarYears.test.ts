/**
 * Years after the library's data (issue 10): a provisional year from 《全国年节及纪念日放假办法》
 * (2024 revision, 第二条), each statutory day checked against the lunar library; the December
 * scenario; an official import replacing the provisional year; exceptions never cover a year.
 */
import chineseDays from 'chinese-days';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkingCalendar, withOfficialYear } from '../../domain/calendar';
import { buildCalendarData } from '../../domain/holidays';
import { parseHolidayNotice } from '../../domain/notice';
import { statutoryHolidays } from '../../domain/statutory';

const notice2027 = parseHolidayNotice(readFileSync(path.join(__dirname, 'fixtures', 'notice-2027.txt'), 'utf8'));

describe('provisional 2027 from the law', () => {
  const days = Object.fromEntries(statutoryHolidays(2027).map((h) => [h.name, h.days]));

  test('元旦 1 day, 春节 4 from 除夕, 清明 on the solar term, 劳动节 2, 端午, 中秋, 国庆 3', () => {
    expect(days).toEqual({
      元旦: ['2027-01-01'],
      春节: ['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08'],
      清明节: ['2027-04-05'],
      劳动节: ['2027-05-01', '2027-05-02'],
      端午节: ['2027-06-09'],
      中秋节: ['2027-09-15'],
      国庆节: ['2027-10-01', '2027-10-02', '2027-10-03'],
    });
  });

  test('each lunar and solar-term day agrees with the lunar library', () => {
    const eve = chineseDays.getLunarDate(days['春节'][0]);
    expect([eve.lunarMon, eve.lunarYear]).toEqual([12, 2026]);
    expect(chineseDays.getLunarDate('2027-02-06')).toMatchObject({ lunarMon: 1, lunarDay: 1 }); // so 02-05 is 除夕
    expect(days['春节'].slice(1).map((d) => chineseDays.getLunarDate(d).lunarDay)).toEqual([1, 2, 3]);
    expect(chineseDays.getSolarTerms(days['清明节'][0])[0].name).toBe('清明');
    expect(chineseDays.getLunarDate(days['端午节'][0])).toMatchObject({ lunarMon: 5, lunarDay: 5 });
    expect(chineseDays.getLunarDate(days['中秋节'][0])).toMatchObject({ lunarMon: 8, lunarDay: 15 });
  });

  test('the law matches past years’ statutory days too (2025, 2026: each a day off in the library)', () => {
    for (const year of [2025, 2026]) {
      for (const h of statutoryHolidays(year)) for (const d of h.days) expect([d, chineseDays.isHoliday(d)]).toEqual([d, true]);
    }
  });

  test('a provisional year has exactly the 13 statutory days and no 调休', () => {
    const data = buildCalendarData({ fromYear: 2027, toYear: 2027 });
    expect(data.provisionalYears).toEqual([2027]);
    expect(data.holidays).toEqual(Object.values(days).flat().sort());
    expect(data.makeUpWorkdays).toEqual([]);
  });
});

describe('the December scenario: 2026-12-28 10:00 + 7 working days', () => {
  const provisional = new WorkingCalendar(buildCalendarData({ fromYear: 2026, toYear: 2028 }));
  const official = new WorkingCalendar(buildCalendarData({ fromYear: 2026, toYear: 2028, official: [notice2027] }));
  const created = provisional.at('2026-12-28', '10:00');

  test('is due 2027-01-07 10:00 (元旦 skipped), provisional until 2027 is imported', () => {
    const due = provisional.addWorkingDays(created, 7);
    expect(due.toISOString()).toBe(provisional.at('2027-01-07', '10:00').toISOString());
    expect(provisional.provisionalYearsBetween(created, due)).toEqual([2027]);
    expect(official.provisionalYearsBetween(created, official.addWorkingDays(created, 7))).toEqual([]);
    expect(official.addWorkingDays(created, 7).toISOString()).toBe(due.toISOString());
  });

  test('creation never stops: a calendar from 2027 on builds with every year provisional', () => {
    const data = buildCalendarData({ fromYear: 2027, toYear: 2029 });
    expect(data.provisionalYears).toEqual([2027, 2028, 2029]);
    expect(new WorkingCalendar(data).isWorkingDay(new WorkingCalendar(data).at('2027-01-01', '10:00'))).toBe(false);
  });

  test('the import moves a deadline across 春节 (official 2027: Feb 5–12 off, Jan 31 and Feb 20 worked)', () => {
    const start = provisional.at('2027-02-03', '10:00');
    expect(provisional.localDate(provisional.addWorkingDays(start, 5))).toBe('2027-02-12');
    expect(official.localDate(official.addWorkingDays(start, 5))).toBe('2027-02-18');
  });
});

test('an exception in 2027 neither covers 2027 nor hides its statutory days', () => {
  const data = buildCalendarData({ fromYear: 2027, toYear: 2027, exceptions: [{ date: '2027-03-01', kind: 'holiday', note: '县政府决定' }] });
  expect(data.provisionalYears).toEqual([2027]);
  expect(data.holidays).toEqual(expect.arrayContaining(['2027-02-05', '2027-03-01', '2027-10-03']));
  const withImport = buildCalendarData({ fromYear: 2027, toYear: 2027, official: [notice2027], exceptions: [{ date: '2027-02-20', kind: 'holiday' }] });
  expect(withImport.provisionalYears).toBeUndefined();
  expect(withImport.makeUpWorkdays).not.toContain('2027-02-20'); // the exception wins over the import
});

test('withOfficialYear puts one year in place for a running work order, leaving other years and office hours', () => {
  const data = buildCalendarData({ fromYear: 2026, toYear: 2027, officeHours: [{ start: '09:00', end: '17:00' }] });
  const next = withOfficialYear(data, 2027, notice2027.holidays, notice2027.makeUpWorkdays);
  expect(next.provisionalYears).toBeUndefined();
  expect(next.officeHours).toEqual(data.officeHours);
  expect(next.holidays.filter((d) => d < '2027')).toEqual(data.holidays.filter((d) => d < '2027'));
  expect(next.holidays.filter((d) => d >= '2027')).toEqual(notice2027.holidays);
  expect(next.makeUpWorkdays).toContain('2027-01-31');
  // A year beyond the range: the years in between have no data, so they stay provisional.
  const far = withOfficialYear(data, 2029, ['2029-01-01'], []);
  expect(far.coversYears).toEqual([2026, 2029]);
  expect(far.provisionalYears).toEqual([2027, 2028]);
  expect(new WorkingCalendar(far).provisionalYearsBetween(Date.parse('2026-12-01'), Date.parse('2029-06-01'))).toEqual([2027, 2028]);
});
