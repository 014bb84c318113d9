import { OffsetClock } from './clock';
import { TimerQueue } from './timerQueue';

/**
 * Time skipping as the SDK's test server does it: one lock counter shared by the TestService's
 * explicit locks (the environment starts locked, `client.result()` unlocks while it waits) and
 * the work in flight (each queued or running workflow task, activity attempt and query holds a
 * lock). When the counter is zero the clock jumps to the next due timer.
 *
 * Sharing the counter is what lets an activity sleep on the test clock: its
 * `UnlockTimeSkippingWithSleep` releases the lock its own attempt holds (the Java test server
 * counts the same way), so time moves while it waits and the lock comes back when it wakes.
 */
export class TimeSkipper {
  /** Explicit locks; below zero while a sleeping activity has lent its own lock. */
  private locks = 1;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly clock: OffsetClock,
    private readonly timers: TimerQueue,
    /** How many workflow tasks, activity attempts and queries are queued or running. */
    private readonly inFlight: () => number,
  ) {
    timers.afterFire = () => this.poke();
  }

  lock(): void {
    this.locks++;
  }

  unlock(): void {
    // Never below zero in total: a stray unlock must not let time run past work in flight.
    if (this.locks + this.inFlight() > 0) this.locks--;
    this.poke();
  }

  isLocked(): boolean {
    return this.locks + this.inFlight() > 0;
  }

  /** Re-checks (soon, after the current state change settles) whether time may jump. */
  poke(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped || this.isLocked()) return;
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
