import { proxyLocalActivities, sleep } from '@temporalio/workflow';

/** What bench/timer-floor.ts's local activity does: nothing but tell the bench it ran. */
export interface FloorActivities {
  recordDeadline(id: string): Promise<void>;
}

const { recordDeadline } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/**
 * The shape of a work order's escalation with nothing of the work order in it: a timer that
 * fires at `dueAt`, one local activity in the same workflow task, then a long timer — one
 * workflow task with two activations, as an escalation has (timer fired; local activity done).
 */
export async function deadlineFloor(id: string, dueAt: number): Promise<void> {
  await sleep(Math.max(1, dueAt - Date.now()));
  await recordDeadline(id);
  await sleep('30 days');
}
