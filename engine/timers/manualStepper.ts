import type { OffsetClock } from './clock';
import type { TimerQueue } from './timerQueue';

/** What {@link stepTo} did. */
export interface StepResult {
  /** Engine time at the end. */
  now: number;
  /** Distinct due instants stepped through (each fired, then waited on until quiet). */
  steps: number;
  /** False when work in flight made no progress for the settle timeout (e.g. no worker polls): the clock stopped there. */
  settled: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Moves a manual clock to `target` the way time would have passed: to each due timer in due
 * order, firing it and waiting until nothing is in flight (the workflow tasks and activities it
 * caused have completed), before the next. So an urge due Monday 17:00 is recorded at 17:00,
 * not at the end of a two-day jump, and when this resolves every effect is recorded.
 *
 * @param inFlight workflow tasks, activity attempts and queries queued or running
 * @param settleTimeoutMs how long work in flight may stay unchanged before the clock stops (default 30 s)
 */
export async function stepTo(
  target: number,
  clock: OffsetClock,
  timers: TimerQueue,
  inFlight: () => number,
  settleTimeoutMs = 30_000,
): Promise<StepResult> {
  // Quiet: nothing in flight at two checks in a row. Unsettled: the in-flight count did not move
  // for `settleTimeoutMs` (no worker takes the work). A burst of thousands of deadlines at one
  // instant takes longer than that but keeps moving, so it is waited for. The check backs off
  // while work is in flight, and waits at least 20 times what the last count took: `inFlight`
  // walks every run in memory (a loop over 100 000 runs took 8 ms on the loaded 2-core machine), so
  // counting every 20 ms could take a quarter of the main thread a burst needs (issue 9; sandbox
  // only: a real clock has no stepper).
  const quiet = async (): Promise<boolean> => {
    let until = Date.now() + settleTimeoutMs;
    let seen = -1;
    let wait = 1;
    for (let calm = 0; calm < 2; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const counting = performance.now();
      const n = inFlight();
      const countMs = performance.now() - counting;
      if (n === 0) {
        calm++;
        continue;
      }
      calm = 0;
      if (n !== seen) {
        seen = n;
        until = Date.now() + settleTimeoutMs;
      } else if (Date.now() > until) return false;
      await sleep(Math.max(wait, countMs * 20));
      wait = Math.min(wait * 2, 20);
    }
    return true;
  };
  let steps = 0;
  if (!(await quiet())) return { now: clock.now(), steps, settled: false };
  for (;;) {
    const due = timers.nextDue();
    if (due === undefined || due > target) break;
    steps++;
    if (due > clock.now()) clock.jumpTo(due);
    else timers.fireDue();
    if (!(await quiet())) return { now: clock.now(), steps, settled: false };
  }
  clock.jumpTo(target);
  const settled = await quiet();
  return { now: clock.now(), steps, settled };
}
