/**
 * Workflows that can be told to loop for ever, for the deadlock-detection test
 * (test/workflows/deadlockDetection.test.ts). Not part of the product.
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

/**
 * `handler`: the signal handler itself never returns; `afterWait`: the code after a `condition`
 * never returns; `briefly`: a bounded loop; `slowly`: the handler is busy for a while (about a
 * second on the 2-core machine), so that other activations queue up behind it.
 */
export const loopSignal = defineSignal<['handler' | 'afterWait' | 'briefly' | 'slowly']>('loop');

function endless(): number {
  let n = 0;
  // The loop's exit depends on a value the optimiser cannot see through, so it is not removed.
  while (n >= 0) n = (n + 1) % 1_000_000;
  return n;
}

function busy(iterations: number): number {
  let n = 0;
  for (let i = 0; i < iterations; i++) n = (n + i) % 1_000_003;
  return n;
}

export async function looping(): Promise<string> {
  let how: string | undefined;
  let spent = 0;
  setHandler(loopSignal, (kind) => {
    if (kind === 'handler') endless();
    if (kind === 'slowly') spent = busy(300_000_000);
    how = kind;
  });
  await condition(() => how !== undefined);
  if (how === 'afterWait') endless();
  if (spent < 0) return 'never';
  let sum = 0;
  for (let i = 0; i < 100_000; i++) sum += i;
  return `${how} ${sum}`;
}
