import { OffsetClock } from './clock';

/** Node fires at once for delays above 2^31-1 ms, so long waits are chained. */
const MAX_NODE_DELAY = 2_147_483_647;

interface Entry {
  id: number;
  due: number;
  fire: () => void;
}

/**
 * The due-time queue of the engine: every durable timer (workflow timers, activity timeouts and
 * retries, workflow timeouts) is one entry. One Node timer is armed for the earliest entry;
 * jumps of the clock re-arm it.
 */
export class TimerQueue {
  private entries: Entry[] = [];
  private nextId = 1;
  private handle: NodeJS.Timeout | undefined;
  private stopped = false;
  private firing = false;
  /** Called after a batch of timers fired (the time skipper re-checks idleness). */
  afterFire: () => void = () => undefined;

  constructor(private readonly clock: OffsetClock) {
    clock.onJump(() => this.fireDue());
  }

  /** Schedules `fire` at engine time `due`; returns an id for {@link cancel}. */
  schedule(due: number, fire: () => void): number {
    const entry = { id: this.nextId++, due, fire };
    // Keep entries sorted by due time, then by insertion, with a binary search.
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].due <= due) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
    if (lo === 0) this.arm();
    return entry.id;
  }

  cancel(id: number | undefined): void {
    if (id === undefined) return;
    const i = this.entries.findIndex((e) => e.id === id);
    if (i >= 0) this.entries.splice(i, 1);
    if (i === 0) this.arm();
  }

  /** Engine time of the earliest pending timer. */
  nextDue(): number | undefined {
    return this.entries[0]?.due;
  }

  size(): number {
    return this.entries.length;
  }

  /** Fires every entry due by now, in due order. */
  fireDue(): void {
    if (this.stopped || this.firing) return;
    this.firing = true;
    let fired = 0;
    try {
      while (this.entries.length > 0 && this.entries[0].due <= this.clock.now()) {
        const e = this.entries.shift()!;
        fired++;
        try {
          e.fire();
        } catch (err) {
          // A failing timer must not stop the others; the engine logs via the callback itself.
          process.emitWarning(`engine timer failed: ${(err as Error)?.stack ?? err}`);
        }
      }
    } finally {
      this.firing = false;
    }
    this.arm();
    if (fired > 0) this.afterFire();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.entries = [];
  }

  private arm(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    if (this.stopped || this.entries.length === 0) return;
    const delay = Math.max(0, Math.min(this.entries[0].due - this.clock.now(), MAX_NODE_DELAY));
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.fireDue();
    }, delay);
    this.handle.unref?.();
  }
}
