import { ApplicationFailure, condition, defineQuery, defineSignal, defineUpdate, setHandler, sleep } from '@temporalio/workflow';

export const countQuery = defineQuery<number>('count');
export const failQuery = defineQuery<number>('failing');
export const incrementUpdate = defineUpdate<number, [number]>('increment');
export const slowUpdate = defineUpdate<string, [number]>('slow');
export const neverEndingUpdate = defineUpdate<string>('neverEnding');
export const stopSignal = defineSignal('stop');

/** Counts via updates (validator refuses negatives) until stopped. */
export async function updatable(): Promise<number> {
  let count = 0;
  let handlerRuns = 0;
  let stop = false;
  setHandler(countQuery, () => count);
  setHandler(failQuery, () => {
    throw new Error('query handler broke');
  });
  setHandler(
    incrementUpdate,
    (n: number) => {
      handlerRuns++;
      count += n;
      return count;
    },
    {
      validator: (n: number) => {
        if (n < 0) throw ApplicationFailure.nonRetryable('negative increments are refused');
      },
    },
  );
  setHandler(slowUpdate, async (ms: number) => {
    await sleep(ms);
    return `slept ${ms}`;
  });
  setHandler(neverEndingUpdate, async () => {
    await condition(() => false);
    return 'never';
  });
  setHandler(stopSignal, () => {
    stop = true;
  });
  await condition(() => stop);
  return handlerRuns;
}
