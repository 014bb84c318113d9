import { condition, defineSignal, defineUpdate, proxyActivities, setHandler, sleep, startChild, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

export const bumpUpdate = defineUpdate<number, [number]>('bump');
export const finishSignal = defineSignal('finish');

/** Waits for `finish`, like a work order waits for its next action. */
export async function snapshotChild(): Promise<string> {
  let done = false;
  setHandler(finishSignal, () => {
    done = true;
  });
  await condition(() => done);
  return 'child done';
}

/**
 * A run with a bit of every kind of mutable state: changed search attributes and memo, a child,
 * an activity waiting out a retry backoff, a pending timer, completed updates.
 */
export async function snapshotSubject(): Promise<string> {
  let count = 0;
  let done = false;
  setHandler(bumpUpdate, (n: number) => (count += n));
  setHandler(finishSignal, () => {
    done = true;
  });
  upsertSearchAttributes({ CustomKeywordField: ['waiting'] });
  upsertMemo({ note: 'before restart' });
  const child = await startChild(snapshotChild, { workflowId: `${workflowInfo().workflowId}-child` });
  const { flaky } = proxyActivities<{ flaky(): Promise<string> }>({ startToCloseTimeout: '10s', retry: { initialInterval: '1 hour', maximumAttempts: 5 } });
  void flaky().catch(() => 'gave up');
  void sleep('1 hour');
  await condition(() => done);
  await child.signal(finishSignal);
  return `${count} ${await child.result()}`;
}

export const retagSignal = defineSignal<[string]>('retag');

/**
 * Tags itself like every other run of its kind (equal search attributes and memo), then changes
 * its own tag on `retag` (start-up shares equal values between runs: a change must stay its own).
 */
export async function taggedRun(): Promise<void> {
  let done = false;
  let tag: string | undefined;
  setHandler(retagSignal, (t: string) => {
    tag = t;
  });
  setHandler(finishSignal, () => {
    done = true;
  });
  upsertSearchAttributes({ CustomKeywordField: ['waiting'] });
  upsertMemo({ note: 'same for all' });
  await condition(() => tag !== undefined || done);
  if (tag !== undefined) {
    upsertSearchAttributes({ CustomKeywordField: [tag] });
    upsertMemo({ note: tag });
  }
  await condition(() => done);
}
