import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/** Every activity call the worker ran: `orderId#step` (or a step id) -> attempts seen. */
export type EscalationLog = Map<string, number[]>;

/**
 * The escalation activity of the durability workflow. Orders whose id ends in an odd digit fail
 * their first attempt, so server-side retries are exercised too.
 */
export function createDurabilityActivities(log: EscalationLog) {
  return {
    async escalate(orderId: string, step: number): Promise<string> {
      const key = `${orderId}#${step}`;
      const attempt = Context.current().info.attempt;
      log.set(key, [...(log.get(key) ?? []), attempt]);
      if (attempt === 1 && /[13579]$/.test(orderId)) throw ApplicationFailure.retryable(`first attempt of ${key} fails`, 'Flaky');
      return key;
    },
    /** Fails every attempt (records the attempts seen under `stepId`). */
    async alwaysFails(stepId: string): Promise<never> {
      const attempt = Context.current().info.attempt;
      log.set(stepId, [...(log.get(stepId) ?? []), attempt]);
      throw ApplicationFailure.retryable(`attempt ${attempt} failed`, 'Flaky');
    },
  };
}

export type DurabilityActivities = ReturnType<typeof createDurabilityActivities>;
