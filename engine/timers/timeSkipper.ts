import { OffsetClock } from './clock';
import { TimerQueue } from './timerQueue';

/**
 * Time skipping as the SDK's test server does it: a lock counter (the environment starts
 * locked, `client.result()` unlocks while it waits) and, when unlocked and nothing is in flight,
 * the clock jumps to the next due timer.
 */
export class TimeSkipper {
  private locks = 1;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly clock: OffsetClock,
    private readonly timers: TimerQueue,
    /** True when no workflow task, activity task or query is queued or running. */
    private readonly isIdle: () => boolean,
  ) {
    timers.afterFire = () => this.poke();
  }

  lock(): void {
    this.locks++;
  }

  unlock(): void {
    // The SDK pairs unlock/lock; never let a stray unlock make the counter negative.
    if (this.locks > 0) this.locks--;
    this.poke();
  }

  isLocked(): boolean {
    return this.locks > 0;
  }

  /** Re-checks (soon, after the current state change settles) whether time may jump. */
  poke(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped || this.locks > 0 || !this.isIdle()) return;
      const due = this.timers.nextDue();
      if (due === undefined) return;
      if (due > this.clock.now()) this.clock.jumpTo(due);
      else this.timers.fireDue();
    });
  }

  stop(): void {
    this.stopped = true;
  }
}
