import { ApplicationFailure, condition, defineSignal, setHandler, sleep, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

export const goSignal = defineSignal<[string]>('go');

export async function waitForGo(): Promise<string> {
  let got = '';
  setHandler(goSignal, (s) => {
    got = s;
  });
  await condition(() => got !== '');
  return got;
}

export async function quick(): Promise<string> {
  return 'done';
}

export async function sleepFor(ms: number): Promise<void> {
  await sleep(ms);
}

/** Fails its first two attempts (workflow retry policy), then reports its attempt. */
export async function flakyWorkflow(): Promise<number> {
  const { attempt } = workflowInfo();
  if (attempt < 3) throw ApplicationFailure.create({ message: `attempt ${attempt} failed` });
  return attempt;
}

export async function tagger(status: string, priority: number): Promise<void> {
  upsertSearchAttributes({ CustomKeywordField: [status], CustomIntField: [priority], CustomBoolField: [priority > 5] });
  upsertMemo({ note: `status ${status}` });
  await sleep(1);
}

/** A cron run: reports the previous run's result + 1. */
export async function cronTick(): Promise<number> {
  return ((workflowInfo().lastResult as number | undefined) ?? 0) + 1;
}
