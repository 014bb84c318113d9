import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/** Every escalation call the worker ran: `orderId#step` -> attempts seen. */
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
  };
}

export type DurabilityActivities = ReturnType<typeof createDurabilityActivities>;
