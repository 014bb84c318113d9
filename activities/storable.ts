/**
 * The activities' last line of defence against input PostgreSQL can never store (a NUL or a lone
 * surrogate that got into a workflow's state before the API refused them, a date out of range):
 * such an activity fails at once with a non-retryable `UNSTORABLE_INPUT` failure — recorded in
 * the workflow's history and the worker's log — instead of retrying forever while the work order
 * waits behind it. The workflow then records a repaired copy (workflows/storable.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { findUnstorable } from '../domain/storable';

/** The failure type the workflow recognises (workflows/storable.ts). */
export const UNSTORABLE_INPUT = 'UNSTORABLE_INPUT';

/** PostgreSQL SQLSTATE class 22 (data exception): the same input fails the same way every time. */
const isDataException = (error: unknown) => /^22/.test(String((error as { code?: unknown })?.code ?? ''));

/**
 * Wraps every activity of `activities`: input with text that cannot be stored is refused before
 * any write, and a PostgreSQL data exception becomes non-retryable; everything else (the database
 * is down, a webhook failed) is thrown as it was, for the retry policy.
 */
export function refusingUnstorableInput<T extends Record<string, (...args: any[]) => Promise<unknown>>>(
  activities: T,
  logger: { warn(obj: object, msg?: string): void },
): T {
  const guarded: Record<string, (...args: any[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    guarded[name] = async (...args: unknown[]) => {
      const bad = findUnstorable(args);
      if (bad.length) {
        const where = bad.map((b) => `${b.path.slice(1).join('.')}: ${b.message}`).join('; ');
        logger.warn({ activity: name, unstorable: where }, 'activity input cannot be stored');
        throw ApplicationFailure.create({
          type: UNSTORABLE_INPUT,
          message: `${name}: input cannot be stored (${where})`,
          nonRetryable: true,
          details: [bad.map((b) => b.path.slice(1).join('.'))],
        });
      }
      try {
        return await activity(...args);
      } catch (error) {
        if (!isDataException(error)) throw error;
        const message = error instanceof Error ? error.message : String(error);
        logger.warn({ activity: name, err: message }, 'activity input refused by PostgreSQL');
        throw ApplicationFailure.create({ type: UNSTORABLE_INPUT, message: `${name}: ${message}`, nonRetryable: true, cause: error as Error });
      }
    };
  }
  return guarded as T;
}
