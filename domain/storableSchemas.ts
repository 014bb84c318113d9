/**
 * The zod forms of the boundary rule for dates and integers (domain/storable.ts): what the API's
 * schemas use for every date, date-time and integer, so PostgreSQL stores each unchanged.
 */
import { z } from 'zod';
import { INT4_MAX, INT4_MIN, unsaneDateReason } from './storable';

const saneDate = (text: string, ctx: z.RefinementCtx) => {
  const reason = unsaneDateReason(text);
  if (reason) ctx.addIssue({ code: 'custom', message: reason, input: text });
};

/** An instant: ISO 8601 date-time with `Z` or an offset, years 1900–9999, offset at most ±14:00. */
export const isoDateTimeSchema = () =>
  z.iso.datetime({ offset: true }).superRefine(saneDate);

/** A calendar date `YYYY-MM-DD`, years 1900–9999. */
export const isoDateSchema = () => z.iso.date().superRefine(saneDate);

/** A whole number from a query string or body that fits a PostgreSQL `integer` column. */
export const int4Schema = () => z.coerce.number().int().min(INT4_MIN).max(INT4_MAX);
