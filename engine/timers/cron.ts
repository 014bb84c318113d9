import { invalidArgument } from '../errors';

/**
 * Temporal's cron schedules (UTC): five fields (minute hour day-of-month month day-of-week,
 * with `*`, lists, ranges, steps and month/day names), the descriptors `@yearly`, `@monthly`,
 * `@weekly`, `@daily`, `@hourly`, and `@every <go duration>`. Pure functions.
 */
export interface CronSchedule {
  /** First fire time strictly after `afterMs` (epoch ms). */
  next(afterMs: number): number;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Parses a cron schedule; INVALID_ARGUMENT when it is not one. */
export function parseCron(spec: string): CronSchedule {
  const text = spec.trim();
  if (text.startsWith('@every')) {
    const ms = parseGoDuration(text.slice('@every'.length).trim());
    if (ms <= 0) throw invalidArgument(`invalid CronSchedule "${spec}"`);
    return { next: (after) => after + ms };
  }
  const fields = (DESCRIPTORS[text] ?? text).split(/\s+/);
  if (fields.length !== 5) throw invalidArgument(`invalid CronSchedule "${spec}": expected 5 fields`);
  const [minute, hour, dom, month, dow] = [
    parseField(fields[0], 0, 59, [], spec),
    parseField(fields[1], 0, 23, [], spec),
    parseField(fields[2], 1, 31, [], spec),
    parseField(fields[3], 1, 12, MONTHS, spec),
    parseField(fields[4].replace(/\b7\b/, '0'), 0, 6, DAYS, spec),
  ];
  const domStar = fields[2] === '*' || fields[2] === '?';
  const dowStar = fields[4] === '*' || fields[4] === '?';
  const dayMatches = (d: Date) => {
    const a = dom.has(d.getUTCDate());
    const b = dow.has(d.getUTCDay());
    if (domStar && dowStar) return true;
    if (domStar) return b;
    if (dowStar) return a;
    return a || b;
  };
  return {
    next(after: number): number {
      const t = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
      for (let i = 0; i < 1_000_000; i++) {
        if (!month.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!dayMatches(t)) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!hour.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        } else if (!minute.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        } else {
          return t.getTime();
        }
      }
      throw invalidArgument(`CronSchedule "${spec}" never fires`);
    },
  };
}

function parseField(field: string, min: number, max: number, names: string[], spec: string): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + (min === 1 ? 1 : 0) : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw invalidArgument(`invalid CronSchedule "${spec}": bad value "${s}"`);
    return n;
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw invalidArgument(`invalid CronSchedule "${spec}": bad step "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = value(a);
      hi = value(b);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Go duration strings (`2s`, `1h30m`, `500ms`). */
export function parseGoDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== text.length || text.length === 0) throw invalidArgument(`invalid duration "${text}"`);
  return total;
}
