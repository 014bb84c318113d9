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

/**
 * Where a clock's offset is published for other threads to read ({@link readSharedClock}): the
 * engine in a thread of its own (scripts/engineThread.ts) while the main thread's API and
 * activities tell the same time. 8 bytes; only the engine's clock writes it.
 */
export function sharedClockOffset(): SharedArrayBuffer {
  return new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT);
}

/** The time of a clock whose offset is published in `offset` (whole milliseconds), from any thread. */
export function readSharedClock(offset: SharedArrayBuffer): () => number {
  const cell = new BigInt64Array(offset);
  return () => Date.now() + Number(Atomics.load(cell, 0));
}

/** A wall clock shifted by an offset that only ever grows. */
export class OffsetClock implements EngineClock {
  private offset: number;
  private readonly listeners: Array<() => void> = [];
  private readonly published: BigInt64Array | undefined;

  /** @param shared - publish the offset here at every move ({@link sharedClockOffset}) */
  constructor(readonly kind: ClockKind, startAt?: number, shared?: SharedArrayBuffer) {
    // Whole milliseconds, so a reader of the published offset tells exactly this clock's time.
    this.offset = startAt === undefined ? 0 : Math.round(startAt - Date.now());
    this.published = shared ? new BigInt64Array(shared) : undefined;
    this.publish();
  }

  private publish(): void {
    if (this.published) Atomics.store(this.published, 0, BigInt(this.offset));
  }

  now(): number {
    return Date.now() + this.offset;
  }

  /** Moves the clock to `ms` if that is in the future; listeners re-arm their timers. */
  jumpTo(ms: number): void {
    const delta = Math.ceil(ms - this.now());
    if (delta <= 0) return;
    this.offset += delta;
    this.publish();
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
