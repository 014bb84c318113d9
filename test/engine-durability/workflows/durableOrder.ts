/**
 * A small work-order-shaped workflow for the durability tests: deadlines (timers) whose
 * escalation is an activity, notes from the citizen (signals) and actions from people
 * (updates, validated). Its result lists everything it saw, so a test can compare it with what
 * the engine acknowledged.
 */
import { ApplicationFailure, allHandlersFinished, condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { DurabilityActivities } from '../activities';

export interface DurableOrderInput {
  orderId: string;
  /** One timer per entry (ms); after each one fires, the order escalates once. */
  deadlinesMs: number[];
  /** The workflow ends after this many notes and actions (and every deadline). */
  expectNotes: number;
  expectActions: number;
}

export interface DurableOrderResult {
  notes: string[];
  actions: number[];
  escalations: string[];
}

export const noteSignal = defineSignal<[string]>('note');
/** Adds an action number; answers how many actions the order has. Negative numbers are refused. */
export const actionUpdate = defineUpdate<number, [number]>('action');
export const progressQuery = defineQuery<DurableOrderResult>('progress');

const { escalate } = proxyActivities<DurabilityActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '100 milliseconds', backoffCoefficient: 2, maximumInterval: '500 milliseconds' },
});

export async function durableOrder(input: DurableOrderInput): Promise<DurableOrderResult> {
  const state: DurableOrderResult = { notes: [], actions: [], escalations: [] };
  setHandler(noteSignal, (note) => {
    state.notes.push(note);
  });
  setHandler(
    actionUpdate,
    (n) => {
      state.actions.push(n);
      return state.actions.length;
    },
    {
      validator: (n) => {
        if (n < 0) throw ApplicationFailure.nonRetryable(`action ${n} refused`, 'Refused');
      },
    },
  );
  setHandler(progressQuery, () => state);
  for (const [i, ms] of input.deadlinesMs.entries()) {
    await sleep(ms);
    state.escalations.push(await escalate(input.orderId, i + 1));
  }
  await condition(() => state.notes.length >= input.expectNotes && state.actions.length >= input.expectActions);
  await condition(allHandlersFinished);
  return state;
}

const { alwaysFails } = proxyActivities<DurabilityActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '700 milliseconds', backoffCoefficient: 1, maximumAttempts: 3 },
});

/** Runs an activity that always fails, with 3 attempts; returns the attempt it gave up on. */
export async function retryingStep(stepId: string): Promise<string> {
  try {
    await alwaysFails(stepId);
    return 'succeeded';
  } catch (err) {
    return `gave up: ${(err as Error).message}`;
  }
}
