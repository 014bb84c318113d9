/**
 * zod schemas of the domain's plain data (working calendar, SLA durations): for the API, the
 * profile and calendar builders. Kept apart from calendar.ts and sla.ts so the workflow bundle,
 * which imports those, builds no schema at load (issue 9: every workflow re-runs the bundle's
 * module code).
 */
import { z } from 'zod';
import { slaUnits } from './sla';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "'HH:MM', 00:00–24:00");
const ymd = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "'YYYY-MM-DD'");
/** zod schema of `OfficePeriod` (calendar.ts). */
export const officePeriodSchema = z
  .object({ start: hhmm, end: hhmm })
  .refine((p) => p.start < p.end, { message: 'start must be before end', path: ['end'] });
/** zod schema of `CalendarData` (calendar.ts) (structure and order of office periods). */
export const calendarDataSchema = z.object({
  utcOffsetMinutes: z.number().int().min(-14 * 60).max(14 * 60),
  officeHours: z
    .array(officePeriodSchema)
    .min(1)
    .refine((ps) => ps.every((p, i) => i === 0 || ps[i - 1].end <= p.start), {
      message: 'office periods must be in order and must not overlap',
    }),
  holidays: z.array(ymd),
  makeUpWorkdays: z.array(ymd),
  coversYears: z
    .tuple([z.number().int(), z.number().int()])
    .refine(([a, b]) => a <= b, { message: 'coversYears must be [from, to] with from <= to' }),
  provisionalYears: z.array(z.number().int()).optional(),
});

/** zod schema of `SlaDuration` (sla.ts): non-negative; whole days for `workingDays`. */
export const slaDurationSchema = z
  .strictObject({ amount: z.number().nonnegative().max(100_000), unit: z.enum(slaUnits) })
  .refine((d) => d.unit !== 'workingDays' || Number.isInteger(d.amount), {
    message: 'workingDays must be a whole number (use workingHours for fractions)',
    path: ['amount'],
  });
