import { ApplicationFailure, condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export interface FlakyActivities {
  flaky(label: string): Promise<string>;
}

const { flaky } = proxyActivities<FlakyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 hour', backoffCoefficient: 1, maximumAttempts: 5 },
});

export const stageQuery = defineQuery<string>('stage');
export const approveUpdate = defineUpdate<string, [string]>('approve');
export const finishSignal = defineSignal('finish');

/** Sleeps 30 days, runs a flaky activity with hour-long backoff, answers a query and an update. */
export async function longSleeper(): Promise<string> {
  let stage = 'sleeping';
  let approvedBy = '';
  let finished = false;
  setHandler(stageQuery, () => stage);
  setHandler(
    approveUpdate,
    (who: string) => {
      approvedBy = who;
      return `approved by ${who}`;
    },
    {
      validator: (who: string) => {
        if (!who) throw ApplicationFailure.nonRetryable('approver required');
      },
    },
  );
  setHandler(finishSignal, () => {
    finished = true;
  });
  await sleep('30 days');
  stage = 'working';
  const result = await flaky('x');
  stage = 'waiting';
  await condition(() => approvedBy !== '' && finished);
  return `${result}/${approvedBy}`;
}
