import { proxyActivities, sleep } from '@temporalio/workflow';

const { touch } = proxyActivities<{ touch(n: number): Promise<number> }>({ startToCloseTimeout: '10s' });

/** One activity round trip, then done: a typical short work item. */
export async function oneActivity(n: number): Promise<number> {
  return touch(n);
}

/** A month of waiting with an activity between, for the time-skipping figure. */
export async function monthLong(): Promise<number> {
  await sleep('30 days');
  const r = await touch(1);
  await sleep('1 day');
  return r;
}
