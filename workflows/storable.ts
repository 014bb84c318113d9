/**
 * Recording that never wedges a work order: when an activity refuses its input as unstorable
 * (`UNSTORABLE_INPUT`, activities/storable.ts: a NUL or lone surrogate in the state, which the
 * API refuses but an older work order may carry), the same input is recorded once more with
 * those characters replaced by U+FFFD, so the timeline and the read model keep moving. Anything
 * else is thrown as it was. Workflow-safe.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/workflow';
import { toStorable } from '../domain/storable';

// An activity's failure arrives wrapped in an ActivityFailure; a local activity's, as observed
// with SDK 1.24, as the ApplicationFailure itself.
const failureOf = (error: unknown) => (error instanceof ActivityFailure ? error.cause : error);
const isUnstorable = (error: unknown) => {
  const failure = failureOf(error);
  return failure instanceof ApplicationFailure && failure.type === 'UNSTORABLE_INPUT';
};

/**
 * Calls `activity(input)`; if it refused the input as unstorable, calls it with
 * {@link toStorable}`(input)` instead.
 *
 * @example
 * await storing(recordEvents, { workOrderId, events, snapshot });
 */
export async function storing<I, R>(activity: (input: I) => Promise<R>, input: I): Promise<R> {
  try {
    return await activity(input);
  } catch (error) {
    if (!isUnstorable(error)) throw error;
    log.warn('input could not be stored; recording it with U+FFFD for the bad characters', {
      error: (failureOf(error) as ApplicationFailure).message,
    });
    return activity(toStorable(input));
  }
}
