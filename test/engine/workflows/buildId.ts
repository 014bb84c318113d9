import { condition, defineQuery, defineSignal, setHandler, workflowInfo } from '@temporalio/workflow';

export const buildIdQuery = defineQuery<string>('buildId');
export const unblockSignal = defineSignal('unblock');

export async function buildIdTester(): Promise<void> {
  let unblocked = false;
  setHandler(buildIdQuery, () => workflowInfo().currentBuildId ?? '');
  setHandler(unblockSignal, () => {
    unblocked = true;
  });
  await condition(() => unblocked);
  await condition(() => false);
}
