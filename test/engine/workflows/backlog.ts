import { condition, defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const stageQuery = defineQuery<string>('stage');
export const signUpdate = defineUpdate<string, [string]>('sign');
export const closeSignal = defineSignal('close');

/**
 * A work order in miniature: waits for its deadline (a timer), is then "urged", and ends there
 * (`endWhenUrged`) or stays open until closed. Its stage is readable by a query and changed by an
 * update, as a person reads and acts on a work order.
 */
export async function deadline(dueMs: number, endWhenUrged: boolean): Promise<string> {
  let stage = 'waiting';
  let closed = false;
  setHandler(stageQuery, () => stage);
  setHandler(signUpdate, (by: string) => {
    stage = `signed by ${by}`;
    return stage;
  });
  setHandler(closeSignal, () => {
    closed = true;
  });
  // The deadline is a timer; closing before it passes ends the wait.
  const closedInTime = await condition(() => closed, dueMs);
  if (!closedInTime && stage === 'waiting') stage = 'urged';
  if (!endWhenUrged) await condition(() => closed);
  return stage;
}
