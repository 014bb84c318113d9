import { proxyActivities } from '@temporalio/workflow';

export interface EchoActivities {
  echo(text: string): Promise<number>;
}

const { echo } = proxyActivities<EchoActivities>({ startToCloseTimeout: '10s' });

/** Sends an activity an input of `size` characters, or returns a result of that size. */
export async function sendsBigPayload(size: number, where: 'activity' | 'result'): Promise<string> {
  if (where === 'activity') await echo('x'.repeat(size));
  return where === 'result' ? 'y'.repeat(size) : 'done';
}
