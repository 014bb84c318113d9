/** The workflow the durability bench drives: it adds update values until told to finish. */
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const addUpdate = defineUpdate<number, [number]>('add');
export const finishSignal = defineSignal('finish');

export async function benchCounter(): Promise<number> {
  let total = 0;
  let finished = false;
  setHandler(addUpdate, (n) => (total += n));
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished);
  return total;
}
