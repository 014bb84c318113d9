/**
 * A deliberately incompatible version of the work-order workflow, for the replay test's negative
 * control: the same workflow type, but it starts a timer the recorded histories never started
 * before running the real code (as an unguarded "wait a minute first" change would, without
 * `patched()`). Replaying any recorded history on it must fail with a determinism error.
 */
import { sleep } from '@temporalio/workflow';
import { workOrderWorkflow as current } from '../../../../workflows/workOrder';

export async function workOrderWorkflow(...args: Parameters<typeof current>): ReturnType<typeof current> {
  await sleep('1 minute');
  return current(...args);
}
