import { BinaryHeap } from '../binaryHeap';
import type { QueuedTask } from './taskQueues';

/** Width of a backlog slice: timer tasks queued within one slice are reordered among themselves only. */
export const WARM_SLICE_MS = 10_000;

interface Entry {
  task: QueuedTask;
  slice: number;
  warmth: number;
  seq: number;
}

/** Older slice first; within a slice the warmest run first; then queueing order. */
function before(a: Entry, b: Entry): boolean {
  return a.slice !== b.slice ? a.slice < b.slice : a.warmth !== b.warmth ? a.warmth > b.warmth : a.seq < b.seq;
}

/**
 * The timer-caused workflow tasks of one task queue (issue 9): a burst of deadlines queues
 * thousands at once, and they are handed out warmest run first (the run a worker took a task of
 * most recently, the likeliest still in its workflow cache), not in the order they fired, which
 * is unrelated to the cache (or, for timers started together, its eviction order) so a burst
 * larger than the cache missed it on nearly every task: each miss makes the worker fetch and
 * replay the run's whole history. Tasks queued in an older {@link WARM_SLICE_MS} slice still go
 * first, so nothing waits behind warmer work for long. A binary heap: O(log n) per task.
 */
export class WarmBacklog {
  private readonly heap = new BinaryHeap<Entry>(before);
  private seq = 0;

  get length(): number {
    return this.heap.length;
  }

  /** Slice of the oldest task (undefined when empty). */
  oldestSlice(): number | undefined {
    return this.heap.peek()?.slice;
  }

  push(task: QueuedTask, warmth: number, now = Date.now()): void {
    this.heap.push({ task, slice: Math.floor(now / WARM_SLICE_MS), warmth, seq: this.seq++ });
  }

  shift(): QueuedTask | undefined {
    return this.heap.pop()?.task;
  }

  clear(): void {
    this.heap.clear();
  }
}
