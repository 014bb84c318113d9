/**
 * Human durations in query strings and bodies: `90m`, `26h`, `2d`, `1d12h`, `45s`.
 */
import { z } from 'zod';

const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** Milliseconds of a duration like `1d12h30m`, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?[dhms])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) total += Number(amount) * units[unit];
  return Math.round(total);
}

/** zod: a duration string → milliseconds (at most `maxMs`). */
export const durationSchema = (maxMs = 366 * 86_400_000) =>
  z
    .string()
    .max(32)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: "a duration like '90m', '26h', '2d' or '1d12h'" });
        return z.NEVER;
      }
      if (ms > maxMs) {
        ctx.addIssue({ code: 'custom', message: `at most ${maxMs / 86_400_000} days` });
        return z.NEVER;
      }
      return ms;
    });
