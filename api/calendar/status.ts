/**
 * Is the working calendar about to run out? From `warnDays` (default 60) before the last day with
 * an official schedule, the calendar is **degraded**: `/health` and `GET /calendar/status` say so
 * with the date, the service logs a warning once a day, and administrators get one notification a
 * day (`audience = 'admins'`), until next year's notice is imported (or the library updated).
 */
import type { Pool } from 'pg';
import { chinaUtcOffsetMinutes } from '../../domain/calendar';
import type { Logger } from '../logger';
import { listOfficialYears, yearSources } from './repository';

const DAY = 86_400_000;

/** The calendar's state as the console shows it. */
export interface CalendarStatus {
  /** `ok`, or `degraded` from `warnFrom` on. */
  status: 'ok' | 'degraded';
  /** The last day of the last official year counted on from this year (`YYYY-MM-DD`). */
  lastCoveredDay: string;
  /** From this day on the calendar is reported degraded. */
  warnFrom: string;
  /** Days from today (local) to `lastCoveredDay`; negative once past it. */
  daysLeft: number;
  /** This year and the next three: where each gets its schedule (official import, library, or law = provisional). */
  years: { year: number; source: 'official' | 'library' | 'provisional' }[];
  /** zh-CN, for people. */
  message: string;
}

const localDate = (t: Date) => new Date(t.getTime() + chinaUtcOffsetMinutes * 60_000).toISOString().slice(0, 10);

/** The calendar status at `now`. */
export async function calendarStatus(pool: Pool, now: Date, warnDays: number): Promise<CalendarStatus> {
  const today = localDate(now);
  const year = Number(today.slice(0, 4));
  const years = yearSources(year, year + 3, await listOfficialYears(pool));
  const firstProvisional = years.find((y) => y.source === 'provisional')?.year ?? year + 4;
  const lastCoveredDay = `${firstProvisional - 1}-12-31`;
  const daysLeft = Math.round((Date.parse(lastCoveredDay) - Date.parse(today)) / DAY);
  const warnFrom = new Date(Date.parse(lastCoveredDay) - warnDays * DAY).toISOString().slice(0, 10);
  const degraded = today >= warnFrom;
  const message = !degraded
    ? `工作日历正常：已有正式节假日安排至${lastCoveredDay}`
    : daysLeft >= 0
      ? `工作日历即将到期：正式节假日安排只到${lastCoveredDay}（还剩${daysLeft}天）。请在国务院办公厅发布${firstProvisional}年节假日安排通知后导入（POST /admin/calendar/years/${firstProvisional}/preview，再 PUT 确认）；此前跨入${firstProvisional}年的时限按法定节日暂定。`
      : `工作日历已过期：${firstProvisional}年尚无正式节假日安排，相关时限按《全国年节及纪念日放假办法》暂定。请导入${firstProvisional}年的国务院通知。`;
  return { status: degraded ? 'degraded' : 'ok', lastCoveredDay, warnFrom, daysLeft, years, message };
}

/**
 * Checks the calendar now and then (every `everyMs`, and whenever {@link check} is called, e.g.
 * after the sandbox clock moved); while degraded, logs a warning and notifies administrators
 * once per local day. The notification's id is `calendar:<lastCoveredDay>:<day>`, so several API
 * processes still send one a day.
 */
export function startCalendarWatch(deps: { pool: Pool; logger: Logger; now: () => Date; warnDays: number; everyMs?: number }): {
  check(): Promise<CalendarStatus>;
  stop(): void;
} {
  let lastWarned = '';
  const check = async (): Promise<CalendarStatus> => {
    const now = deps.now();
    const status = await calendarStatus(deps.pool, now, deps.warnDays);
    const today = localDate(now);
    if (status.status === 'degraded' && lastWarned !== today) {
      lastWarned = today;
      deps.logger.warn({ calendar: { lastCoveredDay: status.lastCoveredDay, daysLeft: status.daysLeft } }, status.message);
      await deps.pool.query(
        `INSERT INTO notifications (id, work_order_id, audience, kind, payload, created_at)
         VALUES ($1, NULL, 'admins', 'calendarDegraded', $2, $3) ON CONFLICT (id) DO NOTHING`,
        [`calendar:${status.lastCoveredDay}:${today}`, JSON.stringify({ lastCoveredDay: status.lastCoveredDay, daysLeft: status.daysLeft, message: status.message }), now],
      );
    }
    return status;
  };
  const timer = setInterval(() => void check().catch((error: Error) => deps.logger.warn({ error: error.message }, 'calendar check failed')), deps.everyMs ?? 3_600_000);
  timer.unref();
  void check().catch((error: Error) => deps.logger.warn({ error: error.message }, 'calendar check failed'));
  return { check, stop: () => clearInterval(timer) };
}
