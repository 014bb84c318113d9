/**
 * Importing a year's schedule as the State Council publishes it (issue 10): the real 2025 and
 * 2026 notices (transcribed in test/domain/fixtures) parse into exactly the library's data; a bad
 * line is refused with the line; JSON and CSV imports give the same schedule.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildCalendarData, libraryYear } from '../../domain/holidays';
import { NoticeError, parseHolidayNotice, scheduleFromCsv, scheduleFromDates } from '../../domain/notice';

const fixture = (year: number) => readFileSync(path.join(__dirname, 'fixtures', `notice-${year}.txt`), 'utf8');

describe.each([2025, 2026])('the %i notice', (year) => {
  const parsed = parseHolidayNotice(fixture(year));

  test('is exactly the library’s schedule of that year', () => {
    const library = libraryYear(year);
    expect(parsed.year).toBe(year);
    expect(parsed.holidays).toEqual(library.holidays);
    expect(parsed.makeUpWorkdays).toEqual(library.makeUpWorkdays);
  });

  test('as an official import it builds the same calendar data as the library', () => {
    const official = buildCalendarData({ fromYear: year, toYear: year, official: [parsed] });
    expect(official).toEqual(buildCalendarData({ fromYear: year, toYear: year }));
  });

  test('names every holiday line of the notice and nothing from the preamble or closing', () => {
    expect(parsed.title).toContain(`关于${year}年部分节假日安排的通知`);
    expect(parsed.items.map((i) => i.name)[0]).toBe('元旦');
    expect(parsed.items.every((i) => /^[一二三四五六七]、/.test(i.line))).toBe(true);
  });
});

test('the 2025 notice item by item (国办发明电〔2024〕12号)', () => {
  const { items } = parseHolidayNotice(fixture(2025));
  expect(items.map((i) => [i.name, i.daysOff.length, i.makeUpWorkdays])).toEqual([
    ['元旦', 1, []],
    ['春节', 8, ['2025-01-26', '2025-02-08']],
    ['清明节', 3, []],
    ['劳动节', 5, ['2025-04-27']],
    ['端午节', 3, []],
    ['国庆节、中秋节', 8, ['2025-09-28', '2025-10-11']],
  ]);
  expect(items[4].daysOff).toEqual(['2025-05-31', '2025-06-01', '2025-06-02']); // 至 crosses a month
});

describe('refusals name the line', () => {
  const good = fixture(2026);
  const refusal = (text: string, year?: number): NoticeError => {
    try {
      parseHolidayNotice(text, year);
    } catch (error) {
      if (error instanceof NoticeError) return error;
      throw error;
    }
    throw new Error('not refused');
  };

  test('a stated weekday that the date does not have', () => {
    const e = refusal(good.replace('5月1日（周五）', '5月1日（周四）'));
    expect(e.lineNo).toBe(9);
    expect(e.line).toContain('四、劳动节');
    expect(e.message).toContain('5月1日写作周四，实际是周五');
  });

  test('an impossible date', () => {
    const e = refusal(good.replace('2月28日（周六）上班', '2月30日（周一）上班'));
    expect(e.line).toContain('二、春节');
    expect(e.message).toContain('2026年2月30日不存在');
  });

  test('a day count that disagrees with the range', () => {
    expect(refusal(good.replace('共9天', '共8天')).message).toContain('写明共8天');
  });

  test('a make-up workday that is not a weekend', () => {
    expect(refusal(good.replace('5月9日（周六）上班', '5月8日（周五）上班')).message).toContain('不是周末');
  });

  test('a holiday line that does not parse', () => {
    const e = refusal(good.replace('三、清明节：4月4日（周六）至6日（周一）放假', '三、清明节：四月四日放假'));
    expect(e.lineNo).toBe(8);
  });

  test('text with no holiday line, or a title of another year', () => {
    expect(refusal('随便一段文字', 2027).lineNo).toBe(0);
    expect(refusal(good, 2027).message).toContain('通知标题是2026年');
  });
});

test('a notice pasted on one line, and 星期 instead of 周, parse the same', () => {
  const oneLine = '一、元旦：1月1日（星期五）至3日（星期日）放假，共3天。二、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（星期日）、5月8日（周六）上班。';
  const parsed = parseHolidayNotice(oneLine, 2027);
  expect(parsed.items.map((i) => i.name)).toEqual(['元旦', '劳动节']);
  expect(parsed.makeUpWorkdays).toEqual(['2027-04-25', '2027-05-08']);
});

test('JSON and CSV imports give the same schedule as the notice', () => {
  const notice = parseHolidayNotice(fixture(2027));
  const fromJson = scheduleFromDates(2027, { holidays: notice.holidays, makeUpWorkdays: notice.makeUpWorkdays });
  expect(fromJson).toEqual({ year: 2027, holidays: notice.holidays, makeUpWorkdays: notice.makeUpWorkdays });
  const csv = ['date,kind', ...notice.holidays.map((d) => `${d},休`), ...notice.makeUpWorkdays.map((d) => `${d},workday`)].join('\n');
  expect(scheduleFromCsv(2027, csv)).toEqual(fromJson);
  expect(() => scheduleFromCsv(2027, 'date,kind\n2027-02-30,holiday')).toThrow(/第2行/);
  expect(() => scheduleFromDates(2027, { holidays: ['2027-01-01'], makeUpWorkdays: ['2027-01-04'] })).toThrow(/不是周末/);
});
