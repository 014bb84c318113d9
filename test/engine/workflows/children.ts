import {
  ChildWorkflowFailure,
  ParentClosePolicy,
  ApplicationFailure,
  condition,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  sleep,
  startChild,
  CancellationScope,
  workflowInfo,
} from '@temporalio/workflow';

export const pingSignal = defineSignal<[string]>('ping');

export async function child(x: number): Promise<number> {
  return x * 2;
}

export async function failingChild(): Promise<void> {
  throw ApplicationFailure.nonRetryable('child broke', 'ChildBroke');
}

export async function waitingChild(): Promise<string> {
  let got = '';
  setHandler(pingSignal, (s) => {
    got = s;
  });
  try {
    await condition(() => got !== '');
    return got;
  } catch (err) {
    if (isCancellation(err)) return 'child cancelled';
    throw err;
  }
}

export async function sleepyChild(): Promise<void> {
  await sleep('1 day');
}

/** Runs children: result, failure, signal via external handle, cancel. */
export async function parent(): Promise<string[]> {
  const out: string[] = [];
  out.push(String(await executeChild(child, { args: [21] })));
  try {
    await executeChild(failingChild, {});
  } catch (err) {
    out.push(err instanceof ChildWorkflowFailure ? `failed: ${(err.cause as Error)?.message}` : 'other');
  }
  const h = await startChild(waitingChild, { workflowId: `${workflowInfo().workflowId}-waiter` });
  await getExternalWorkflowHandle(h.workflowId).signal(pingSignal, 'hi');
  out.push(await h.result());
  // Cancelling a child (request cancel external, child only).
  await CancellationScope.cancellable(async () => {
    const c = await startChild(waitingChild, { workflowId: `${workflowInfo().workflowId}-cancelled`, cancellationType: 'WAIT_CANCELLATION_COMPLETED' as any });
    CancellationScope.current().cancel();
    try {
      out.push(await c.result());
    } catch (err) {
      out.push(isCancellation(err) ? 'cancel error' : `other ${(err as Error).message}`);
    }
  });
  return out;
}

/** Starts a child with the given parent close policy and finishes at once. */
export async function abandoningParent(policy: 'TERMINATE' | 'ABANDON' | 'REQUEST_CANCEL'): Promise<string> {
  const c = await startChild(sleepyChild, {
    workflowId: `${workflowInfo().workflowId}-child`,
    parentClosePolicy: ParentClosePolicy[`PARENT_CLOSE_POLICY_${policy}` as 'PARENT_CLOSE_POLICY_TERMINATE'],
  });
  return c.workflowId;
}

export async function signalMissing(): Promise<string> {
  try {
    await getExternalWorkflowHandle('no-such-workflow-anywhere').signal(pingSignal, 'x');
    return 'sent';
  } catch (err) {
    return `failed: ${(err as Error).name}`;
  }
}

export async function cancelOther(workflowId: string): Promise<string> {
  await getExternalWorkflowHandle(workflowId).cancel();
  return 'requested';
}
