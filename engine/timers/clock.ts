/**
 * Engine clocks. Every clock is "wall time plus an offset": the real clock never moves its
 * offset, the manual clock moves it when asked, and the time-skipping clock moves it by itself
 * (see {@link TimeSkipper}) when nothing is in flight. Every event time comes from here.
 */

/** What callers of the engine can see of its clock. */
export interface EngineClock {
  /** Current engine time, epoch milliseconds. */
  now(): number;
  /** Manual clock only: moves time forward by `ms`; timers that become due fire. */
  advance?(ms: number): void;
  /**
   * Manual clock only: moves time to `ms` stepping through every due timer in due order, each
   * fired at its own instant and its effects completed before the next (see timers/manualStepper.ts).
   */
  advanceTo?(ms: number, options?: { settleTimeoutMs?: number }): Promise<{ now: number; steps: number; settled: boolean }>;
}

export type ClockKind = 'real' | 'skipping' | 'manual';

/** A wall clock shifted by an offset that only ever grows. */
export class OffsetClock implements EngineClock {
  private offset: number;
  private readonly listeners: Array<() => void> = [];

  constructor(readonly kind: ClockKind, startAt?: number) {
    this.offset = startAt === undefined ? 0 : startAt - Date.now();
  }

  now(): number {
    return Date.now() + this.offset;
  }

  /** Moves the clock to `ms` if that is in the future; listeners re-arm their timers. */
  jumpTo(ms: number): void {
    const delta = ms - this.now();
    if (delta <= 0) return;
    this.offset += delta;
    for (const l of this.listeners) l();
  }

  /** Called after every jump (timer queues use it to fire what became due). */
  onJump(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The public view: `advance` only exists on the manual clock. */
  publicView(): EngineClock {
    if (this.kind === 'manual') {
      return {
        now: () => this.now(),
        advance: (ms: number) => {
          if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance(ms) needs a non-negative number');
          this.jumpTo(this.now() + ms);
        },
      };
    }
    return { now: () => this.now() };
  }
}
