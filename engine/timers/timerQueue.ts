import { BinaryHeap } from '../binaryHeap';
import { OffsetClock } from './clock';

/** Node fires at once for delays above 2^31-1 ms, so long waits are chained. */
const MAX_NODE_DELAY = 2_147_483_647;

interface Entry {
  id: number;
  due: number;
  fire: () => void;
  canceled: boolean;
}

/** Earlier due first; within one millisecond, scheduling order. */
function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.id < b.id);
}

/**
 * The due-time queue of the engine: every durable timer (workflow timers, activity timeouts and
 * retries, workflow timeouts) is one entry. One Node timer is armed for the earliest entry;
 * jumps of the clock re-arm it.
 *
 * A binary heap with lazy cancellation: scheduling and cancelling cost O(log n) and O(1) with
 * hundreds of thousands of pending timers (100 000 open work orders hold several each), where a
 * sorted array paid O(n) per call.
 */
export class TimerQueue {
  private readonly heap = new BinaryHeap<Entry>(before);
  private readonly byId = new Map<number, Entry>();
  private nextId = 1;
  private handle: NodeJS.Timeout | undefined;
  /** Due time the Node timer is armed for (undefined: none armed). */
  private armedFor: number | undefined;
  private stopped = false;
  private firing = false;
  /** Called after a batch of timers fired (the time skipper re-checks idleness). */
  afterFire: () => void = () => undefined;

  constructor(private readonly clock: OffsetClock) {
    clock.onJump(() => this.fireDue());
  }

  /** Schedules `fire` at engine time `due`; returns an id for {@link cancel}. */
  schedule(due: number, fire: () => void): number {
    const entry: Entry = { id: this.nextId++, due, fire, canceled: false };
    this.byId.set(entry.id, entry);
    this.heap.push(entry);
    if (this.heap.peek() === entry) this.arm();
    return entry.id;
  }

  cancel(id: number | undefined): void {
    if (id === undefined) return;
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    entry.canceled = true;
    if (this.heap.peek() === entry) {
      this.dropCanceledTop();
      this.arm();
    } else if (this.heap.length > 1024 && this.heap.length > 2 * this.byId.size) {
      // Mostly canceled entries (activity timeouts cancelled long before due): rebuild.
      this.heap.retain((e) => !e.canceled);
    }
  }

  /** Engine time of the earliest pending timer. */
  nextDue(): number | undefined {
    this.dropCanceledTop();
    return this.heap.peek()?.due;
  }

  size(): number {
    return this.byId.size;
  }

  /** Fires every entry due by now, in due order. */
  fireDue(): void {
    if (this.stopped || this.firing) return;
    this.firing = true;
    let fired = 0;
    try {
      for (;;) {
        this.dropCanceledTop();
        const top = this.heap.peek();
        if (!top || top.due > this.clock.now()) break;
        this.heap.pop();
        this.byId.delete(top.id);
        fired++;
        try {
          top.fire();
        } catch (err) {
          // A failing timer must not stop the others; the engine logs via the callback itself.
          process.emitWarning(`engine timer failed: ${(err as Error)?.stack ?? err}`);
        }
      }
    } finally {
      this.firing = false;
    }
    this.arm(true);
    if (fired > 0) this.afterFire();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = undefined;
    this.heap.clear();
    this.byId.clear();
  }

  /** Arms the Node timer for the earliest entry (kept when already armed for that time). */
  private arm(force = false): void {
    this.dropCanceledTop();
    const top = this.heap.peek();
    if (!force && this.handle && top && this.armedFor === top.due) return;
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = undefined;
    if (this.stopped || !top) return;
    const delay = Math.max(0, Math.min(top.due - this.clock.now(), MAX_NODE_DELAY));
    this.armedFor = top.due;
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.armedFor = undefined;
      this.fireDue();
    }, delay);
    this.handle.unref?.();
  }

  private dropCanceledTop(): void {
    while (this.heap.peek()?.canceled) this.heap.pop();
  }
}
