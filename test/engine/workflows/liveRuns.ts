import { defineQuery, patched, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';

/** Local activities of {@link waitingOrder}. */
export interface LiveRunActivities {
  /** A result of a few KiB, as a work order's first state is: it rides in the task's completion. */
  stamp(note: string): Promise<string>;
}

const { stamp } = proxyLocalActivities<LiveRunActivities>({ startToCloseTimeout: '10s' });

export const stampedQuery = defineQuery<boolean>('stamped');

/**
 * Shaped as a work order's first task (issue 9): a patch (the SDK upserts the
 * `TemporalChangeVersion` search attribute), a local activity with a sizeable result, then a
 * long wait with the run open.
 */
export async function waitingOrder(note: string): Promise<void> {
  let stamped = false;
  setHandler(stampedQuery, () => stamped);
  if (patched('first-state')) await stamp(note);
  stamped = true;
  await sleep('30 days');
}
