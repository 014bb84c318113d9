import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';

export interface BasicActivities {
  echo(s: string): Promise<string>;
}

const { echo } = proxyActivities<BasicActivities>({ startToCloseTimeout: '10s' });
const local = proxyLocalActivities<BasicActivities>({ startToCloseTimeout: '10s' });

export const addSignal = defineSignal<[number]>('add');
export const doneSignal = defineSignal('done');
export const totalQuery = defineQuery<number>('total');

export async function hello(name: string): Promise<string> {
  return `hello ${name}`;
}

export async function failing(message: string): Promise<void> {
  throw ApplicationFailure.create({ message, type: 'Boom', nonRetryable: true });
}

/** Sums signals until done. */
export async function summer(): Promise<number> {
  let total = 0;
  let done = false;
  setHandler(addSignal, (n) => {
    total += n;
  });
  setHandler(doneSignal, () => {
    done = true;
  });
  setHandler(totalQuery, () => total);
  await condition(() => done);
  return total;
}

export async function withActivities(s: string): Promise<string> {
  const a = await echo(s);
  const b = await local.echo(a);
  const v = patched('my-patch') ? 'patched' : 'old';
  return `${b}/${v}`;
}

export async function sleeper(ms: number): Promise<string> {
  try {
    await sleep(ms);
    return 'slept';
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => sleep(1));
      return 'cancelled';
    }
    throw err;
  }
}

export async function cancellable(): Promise<void> {
  await sleep('1 day');
}

export async function counter(n: number, limit: number): Promise<number> {
  if (n < limit) await continueAsNew<typeof counter>(n + 1, limit);
  return n;
}

export async function infoReporter(): Promise<{ attempt: number; runId: string; firstRunId: string }> {
  const i = workflowInfo();
  return { attempt: i.attempt, runId: i.runId, firstRunId: i.firstExecutionRunId };
}

export async function upserter(): Promise<void> {
  upsertSearchAttributes({ CustomKeywordField: ['upserted'], CustomIntField: [7] });
  await sleep(10);
}

/** A local activity that outlives the workflow-task timeout (the worker heartbeats the task). */
export async function longLocal(ms: number): Promise<string> {
  const { slowLocal } = proxyLocalActivities<{ slowLocal(ms: number): Promise<string> }>({ startToCloseTimeout: '1 minute' });
  return slowLocal(ms);
}
