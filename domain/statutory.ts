/**
 * The statutory holidays of a year as the law fixes them, for a year whose State Council notice is
 * not known yet (a **provisional** year).
 *
 * 《全国年节及纪念日放假办法》 (国务院令第270号, as revised by 国务院令第795号 in 2024, in force
 * 2025-01-01), 第二条 — holidays for all citizens:
 *   (一) 新年 (元旦): 1 day, 1月1日
 *   (二) 春节: 4 days, 农历除夕、正月初一至初三
 *   (三) 清明节: 1 day, 农历清明当日 (the solar term)
 *   (四) 劳动节: 2 days, 5月1日、2日
 *   (五) 端午节: 1 day, 农历端午当日 (五月初五)
 *   (六) 中秋节: 1 day, 农历中秋当日 (八月十五)
 *   (七) 国庆节: 3 days, 10月1日至3日
 *
 * No 调休 is guessed: the make-up workdays and the days moved next to a holiday are decided each
 * year by the notice. 第六条's substitute day (补假) for a holiday that falls on a weekend is not
 * placed either: the law does not say which working day it is. So a provisional year has exactly
 * these 13 days off and no make-up workday, and every deadline counted across it is marked
 * provisional until the year's notice is imported.
 *
 * NOT workflow-safe (reads `chinese-days`, whose lunar calendar and solar terms are well kept and
 * already a dependency): call it where `buildCalendarData` is called.
 */
import chineseDays from 'chinese-days';

/** One statutory holiday of a year. */
export interface StatutoryHoliday {
  /** zh-CN name as the law writes it. */
  name: string;
  /** Its days off, `'YYYY-MM-DD'`. */
  days: string[];
}

const DAY = 86_400_000;
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/**
 * The statutory holidays of `year` (2024 revision of the 办法; seven holidays, 13 days).
 * @example statutoryHolidays(2027)[1] // { name: '春节', days: ['2027-02-05', …, '2027-02-08'] }
 */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  // 正月初一 of the lunar year that begins in `year`; 除夕 is the day before.
  const newYear = chineseDays.getSolarDateFromLunar(`${year}-01-01`).date;
  const eve = shift(newYear, -1);
  const dragonBoat = chineseDays.getSolarDateFromLunar(`${year}-05-05`).date;
  const midAutumn = chineseDays.getSolarDateFromLunar(`${year}-08-15`).date;
  const qingming = chineseDays.getSolarTermDate(year, 4, 'pure_brightness');
  return [
    { name: '元旦', days: [`${year}-01-01`] },
    { name: '春节', days: [eve, newYear, shift(newYear, 1), shift(newYear, 2)] },
    { name: '清明节', days: [qingming] },
    { name: '劳动节', days: [`${year}-05-01`, `${year}-05-02`] },
    { name: '端午节', days: [dragonBoat] },
    { name: '中秋节', days: [midAutumn] },
    { name: '国庆节', days: [`${year}-10-01`, `${year}-10-02`, `${year}-10-03`] },
  ];
}
