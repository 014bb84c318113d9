/**
 * Reads a year's holiday schedule as the State Council publishes it (国务院办公厅关于XXXX年部分
 * 节假日安排的通知), or as structured data (JSON, CSV), into an {@link OfficialYear}.
 *
 * The notice has had the same shape for two decades: one numbered line per holiday,
 *   `二、春节:1月28日(农历除夕、周二)至2月4日(农历正月初七、周二)放假调休,共8天。1月26日(周日)、2月8日(周六)上班。`
 * i.e. the days off (one day or a range `A至B`, the end's month omitted when it is the same),
 * optionally `共N天`, then the make-up workdays (调休上班) separated by `、`. Every date states its
 * weekday; each is checked against the real calendar, and any line that does not parse, names an
 * impossible date or states the wrong weekday is refused with that line ({@link NoticeError}).
 *
 * Pure (no I/O, no library): the API parses, shows the preview, and stores the result.
 */

/** One holiday of a notice, as parsed. */
export interface NoticeHoliday {
  /** As the notice names it, e.g. `春节`, `国庆节、中秋节`. */
  name: string;
  /** Every day off, `'YYYY-MM-DD'`, in order (weekends inside the range included). */
  daysOff: string[];
  /** Make-up workdays (调休上班) of this holiday. */
  makeUpWorkdays: string[];
  /** 1-based line number in the pasted text, and the line itself (for the preview). */
  lineNo: number;
  line: string;
}

/** A year's official schedule: what an import stores and `buildCalendarData` applies. */
export interface OfficialYear {
  year: number;
  /** Every day off of the schedule (statutory days and the days moved by 调休), sorted. */
  holidays: string[];
  /** Weekend days that are workdays (调休上班), sorted. */
  makeUpWorkdays: string[];
}

/** A parsed notice: the schedule plus each holiday line, for the preview. */
export interface ParsedSchedule extends OfficialYear {
  /** The notice's title, when the pasted text has it. */
  title?: string;
  items: NoticeHoliday[];
}

/** Refusal of a notice or data import: which line (1-based; 0 = the whole text) and why (zh-CN). */
export class NoticeError extends Error {
  constructor(
    readonly lineNo: number,
    readonly line: string,
    readonly reason: string,
  ) {
    super(lineNo > 0 ? `第${lineNo}行「${line}」：${reason}` : reason);
    this.name = 'NoticeError';
  }
}

const weekdayNames = ['日', '一', '二', '三', '四', '五', '六'];
const numerals = '一二三四五六七八九十';

/** Full-width punctuation and spaces of a pasted notice → the ASCII forms the patterns use. */
function normalize(s: string): string {
  return s
    .replace(/[：]/g, ':')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .replace(/[，]/g, ',')
    .replace(/[；]/g, ';')
    .replace(/[\u3000\s]+/g, '')
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48));
}

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** The date, or undefined when it does not exist (2月30日). */
function realDate(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** The weekday a date (`'YYYY-MM-DD'`) really has: 0 = Sunday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

interface DateToken {
  date: string;
  /** The stated weekday (0 = Sunday), if the parenthesis names one. */
  stated?: number;
  year: number;
  month: number;
}

const datePattern = /(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^)]*)\))?/y;

/**
 * Reads one date at `pos` of `s`; month and year default to the previous date's (`至3日`).
 * Throws a plain message (the caller adds the line).
 */
function readDate(s: string, pos: number, context: { year: number; month?: number }): { token: DateToken; end: number } | undefined {
  datePattern.lastIndex = pos;
  const m = datePattern.exec(s);
  if (!m) return undefined;
  const year = m[1] ? Number(m[1]) : context.year;
  const monthText = m[2] ?? (context.month !== undefined ? String(context.month) : undefined);
  if (monthText === undefined) throw new Error(`「${m[0]}」没有月份`);
  const month = Number(monthText);
  const day = Number(m[3]);
  const date = realDate(year, month, day);
  if (!date) throw new Error(`${year}年${month}月${day}日不存在`);
  const wd = /(?:星期|周)([一二三四五六日天])/.exec(m[4] ?? '');
  const stated = wd ? (wd[1] === '天' ? 0 : weekdayNames.indexOf(wd[1])) : undefined;
  if (stated !== undefined && stated !== weekdayOf(date)) {
    throw new Error(`${month}月${day}日写作周${weekdayNames[stated]}，实际是周${weekdayNames[weekdayOf(date)]}`);
  }
  return { token: { date, stated, year, month }, end: datePattern.lastIndex };
}

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`); d += DAY) out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

/** Parses one holiday line (already normalized, numbering and name removed). */
function parseHolidayBody(body: string, year: number): { daysOff: string[]; makeUpWorkdays: string[] } {
  const offAt = body.indexOf('放假');
  if (offAt < 0) throw new Error('没有「放假」');
  // Days off: one date, or `A至B`, before 放假.
  const first = readDate(body, 0, { year });
  if (!first) throw new Error('放假日期无法识别');
  let last = first;
  let pos = first.end;
  if (body.startsWith('至', pos)) {
    const to = readDate(body, pos + 1, { year: first.token.year, month: first.token.month });
    if (!to) throw new Error('「至」后的日期无法识别');
    last = to;
    pos = to.end;
  }
  if (pos !== offAt) throw new Error(`放假日期后有无法识别的内容「${body.slice(pos, offAt)}」`);
  if (last.token.date < first.token.date) throw new Error('放假结束日期早于开始日期');
  const daysOff = daysBetween(first.token.date, last.token.date);
  if (daysOff.length > 15) throw new Error(`放假${daysOff.length}天，超出合理范围`);
  const rest = body.slice(offAt);
  const total = /共(\d+)天/.exec(rest);
  if (total && Number(total[1]) !== daysOff.length) {
    throw new Error(`写明共${total[1]}天，日期范围却是${daysOff.length}天`);
  }
  // Make-up workdays: every sentence ending in 上班, dates separated by 、.
  const makeUpWorkdays: string[] = [];
  for (const sentence of rest.split(/[。;]/)) {
    if (!sentence.includes('上班')) continue;
    const dates = sentence.slice(0, sentence.indexOf('上班'));
    let at = dates.search(/\d/);
    if (at < 0) throw new Error(`「${sentence}」没有上班日期`);
    let context: { year: number; month?: number } = { year };
    for (;;) {
      const d = readDate(dates, at, context);
      if (!d) throw new Error(`上班日期「${dates.slice(at)}」无法识别`);
      const wd = weekdayOf(d.token.date);
      if (wd !== 0 && wd !== 6) throw new Error(`调休上班日${d.token.date}不是周末`);
      if (daysOff.includes(d.token.date)) throw new Error(`${d.token.date}既放假又上班`);
      makeUpWorkdays.push(d.token.date);
      context = { year: d.token.year, month: d.token.month };
      at = d.end;
      if (at >= dates.length) break;
      if (dates[at] !== '、' && dates[at] !== ',' && dates[at] !== '和') throw new Error(`上班日期之间有无法识别的内容「${dates.slice(at)}」`);
      at++;
    }
  }
  return { daysOff, makeUpWorkdays };
}

const titlePattern = /关于(\d{4})年(?:部分)?节假日安排的通知/;
const itemPattern = new RegExp(`^([${numerals}]+)、([^:]{1,20}):(.*)$`);

/**
 * Parses the text of a State Council holiday notice.
 *
 * @param text the notice as pasted (title, preamble and closing lines are allowed and ignored)
 * @param year the year it is for; when the text has the title, the two must agree
 * @returns the schedule and each holiday line
 * @throws NoticeError naming the line that does not parse, names an impossible date, states a
 *   weekday the date does not have, or counts its days wrongly; or the whole text (line 0) when
 *   it has no holiday line or its title names another year
 * @example
 * parseHolidayNotice('一、元旦:1月1日(周五)放假,共1天。', 2027).holidays; // ['2027-01-01']
 */
export function parseHolidayNotice(text: string, year?: number): ParsedSchedule {
  const lines = text.split(/\r?\n/);
  const titleLine = lines.map(normalize).find((l) => titlePattern.test(l));
  const titleYear = titleLine ? Number(titlePattern.exec(titleLine)![1]) : undefined;
  if (year !== undefined && titleYear !== undefined && year !== titleYear) {
    throw new NoticeError(0, '', `通知标题是${titleYear}年，导入的是${year}年`);
  }
  const forYear = year ?? titleYear;
  if (forYear === undefined) throw new NoticeError(0, '', '无法确定年份：请粘贴含标题的通知全文或指定年份');
  const items: NoticeHoliday[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    // A line pasted without breaks: split before each `N、name:`.
    const parts = normalize(line).split(new RegExp(`(?=[${numerals}]+、[^:、,。]{1,12}:)`));
    for (const part of parts) {
      const m = itemPattern.exec(part);
      if (!m || !/\d/.test(m[3])) continue; // preamble, closing, signature
      try {
        const { daysOff, makeUpWorkdays } = parseHolidayBody(m[3], forYear);
        items.push({ name: m[2], daysOff, makeUpWorkdays, lineNo: index + 1, line });
      } catch (error) {
        throw new NoticeError(index + 1, line, (error as Error).message);
      }
    }
  });
  if (!items.length) throw new NoticeError(0, '', '没有找到任何节假日安排行（形如「一、元旦:1月1日(周五)放假,共1天。」）');
  return { ...collect(forYear, items), title: titleLine, items };
}

function collect(year: number, items: { daysOff: string[]; makeUpWorkdays: string[]; lineNo: number; line: string }[]): OfficialYear {
  const holidays = new Set<string>();
  const makeUp = new Set<string>();
  for (const item of items) {
    for (const d of item.daysOff) {
      if (makeUp.has(d)) throw new NoticeError(item.lineNo, item.line, `${d}在另一行是上班日`);
      holidays.add(d);
    }
    for (const d of item.makeUpWorkdays) {
      if (holidays.has(d)) throw new NoticeError(item.lineNo, item.line, `${d}在另一行是放假日`);
      makeUp.add(d);
    }
  }
  const outside = [...holidays, ...makeUp].find((d) => Math.abs(Number(d.slice(0, 4)) - year) > 1);
  if (outside) throw new NoticeError(0, '', `${outside}不在${year}年前后`);
  return { year, holidays: [...holidays].sort(), makeUpWorkdays: [...makeUp].sort() };
}

/**
 * A structured import: `{ holidays: [...], makeUpWorkdays: [...] }` (dates `'YYYY-MM-DD'`).
 * Make-up workdays must be weekends; no date may be both.
 * @throws NoticeError naming the entry (its 1-based position in the list as the line)
 */
export function scheduleFromDates(year: number, data: { holidays: string[]; makeUpWorkdays: string[] }): OfficialYear {
  const check = (list: string[], what: string) =>
    list.forEach((d, i) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
      if (!m || !realDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw new NoticeError(i + 1, d, `${what}第${i + 1}项不是有效日期`);
    });
  check(data.holidays, 'holidays');
  check(data.makeUpWorkdays, 'makeUpWorkdays');
  data.makeUpWorkdays.forEach((d, i) => {
    const wd = weekdayOf(d);
    if (wd !== 0 && wd !== 6) throw new NoticeError(i + 1, d, `调休上班日${d}不是周末`);
  });
  if (!data.holidays.some((d) => d.startsWith(`${year}-`))) throw new NoticeError(0, '', `没有${year}年的放假日`);
  return collect(
    year,
    [
      ...data.holidays.map((d, i) => ({ daysOff: [d], makeUpWorkdays: [], lineNo: i + 1, line: d })),
      ...data.makeUpWorkdays.map((d, i) => ({ daysOff: [], makeUpWorkdays: [d], lineNo: i + 1, line: d })),
    ],
  );
}

/**
 * A CSV import: a header `date,kind` (kind `holiday`/`休` or `workday`/`班`), one date per line;
 * an optional third column (a note) is ignored.
 * @throws NoticeError naming the line
 */
export function scheduleFromCsv(year: number, csv: string): OfficialYear {
  const lines = csv.split(/\r?\n/);
  const holidays: string[] = [];
  const makeUpWorkdays: string[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line || (index === 0 && /^date\s*,/i.test(line))) return;
    const [date, kind] = line.split(',').map((x) => x.trim());
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
    if (!m || !realDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw new NoticeError(index + 1, line, `「${date}」不是有效日期（YYYY-MM-DD）`);
    if (kind === 'holiday' || kind === '休') holidays.push(date);
    else if (kind === 'workday' || kind === '班') {
      const wd = weekdayOf(date);
      if (wd !== 0 && wd !== 6) throw new NoticeError(index + 1, line, `调休上班日${date}不是周末`);
      makeUpWorkdays.push(date);
    } else throw new NoticeError(index + 1, line, `类型「${kind ?? ''}」应为 holiday/休 或 workday/班`);
  });
  return scheduleFromDates(year, { holidays, makeUpWorkdays });
}
