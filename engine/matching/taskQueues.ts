import type { Msg } from '../proto';
import { WARM_SLICE_MS, WarmBacklog } from './warmBacklog';

export type TaskQueueKind = 'workflow' | 'activity';

/**
 * A task waiting in a queue. `dispatch` is called when a poller takes it: it records the start
 * in history and returns the poll response, or `null` when the task went stale meanwhile (the
 * run closed, the activity timed out...), in which case the next task is tried.
 */
export interface QueuedTask {
  dispatch(poll: Msg): Msg | null;
  /** A timer-caused workflow task: how recently a worker took a task of its run (see {@link WarmBacklog}). */
  warmth?: number;
}

interface Waiter {
  request: Msg;
  resolve(task: Msg | null): void;
  /** True once the poller's call is gone (cancelled or timed out). */
  gone(): boolean;
}

/**
 * `interactive`: a person waits on it (a query, a workflow task carrying a query or an update);
 * `backlog`: everything else (timers fired, activity results, starts).
 */
export type TaskLane = 'interactive' | 'backlog';

class TaskQueue {
  readonly tasks: QueuedTask[] = [];
  /**
   * Tasks a person waits on, dispatched before {@link tasks}: a burst of passed deadlines queues
   * thousands of timer-caused workflow tasks, and a query behind them waited out the whole burst
   * (issue 9: the first live work-order state 54.7 s after a restart, serving after 4.0 s).
   * Temporal's matcher does the same for queries: they never enter the backlog but go through
   * their own channel (`queryTaskC`, offered by `OfferQuery` and taken by every poll beside the
   * backlog's `taskC`; in the priority matcher a query task has the lowest fair level, so it
   * sorts ahead of backlog tasks) — temporalio/temporal service/matching/matcher.go,
   * pri_matcher.go, matcher_data.go (taskBTreeLess). The interactive lane is FIFO; in the
   * backlog, timer-caused tasks are reordered only within one 10 s slice ({@link WarmBacklog}).
   */
  readonly interactive: QueuedTask[] = [];
  /** Timer-caused workflow tasks, warmest run first (issue 9). */
  readonly warm = new WarmBacklog();
  /** When each of `tasks` was queued (wall time), to interleave them with `warm` by age. */
  readonly queuedAt = new WeakMap<QueuedTask, number>();
  readonly waiters: Waiter[] = [];
  lastPollTime = 0;
  /** When a worker's shutdown last answered this queue's polls (its sticky queue is gone). */
  shutdownTime = 0;
}

/**
 * Matching: task queues and long polls. A task is handed to the first live poller; a poll
 * with nothing to do waits until a task arrives or its deadline is near, then answers empty.
 */
export class Matching {
  private readonly queues = new Map<string, TaskQueue>();

  private queue(namespace: string, kind: TaskQueueKind, name: string): TaskQueue {
    const key = `${namespace}\u0000${kind}\u0000${name}`;
    let q = this.queues.get(key);
    if (!q) {
      q = new TaskQueue();
      this.queues.set(key, q);
    }
    return q;
  }

  /**
   * Adds a task; it is dispatched at once if a poller waits. An `interactive` task goes ahead of
   * every `backlog` one (see {@link TaskQueue.interactive}).
   */
  add(namespace: string, kind: TaskQueueKind, name: string, task: QueuedTask, lane: TaskLane = 'backlog'): void {
    const q = this.queue(namespace, kind, name);
    if (lane === 'interactive') q.interactive.push(task);
    else if (task.warmth !== undefined) q.warm.push(task, task.warmth);
    else {
      q.tasks.push(task);
      q.queuedAt.set(task, Date.now());
    }
    this.drain(q);
  }

  /**
   * Long-polls a queue. Resolves with a response, or `null` after `waitMs` (callers answer an
   * empty response then). `signal` aborts the wait when the caller goes away.
   */
  poll(namespace: string, kind: TaskQueueKind, name: string, request: Msg, waitMs: number, signal: { cancelled: boolean; onCancel(cb: () => void): void }): Promise<Msg | null> {
    const q = this.queue(namespace, kind, name);
    q.lastPollTime = Date.now();
    const immediate = this.takeOne(q, request);
    if (immediate) return Promise.resolve(immediate);
    return new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => finish(null), Math.max(0, waitMs));
      const finish = (task: Msg | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const i = q.waiters.indexOf(waiter);
        if (i >= 0) q.waiters.splice(i, 1);
        resolve(task);
      };
      const waiter: Waiter = { request, resolve: finish, gone: () => done || signal.cancelled };
      q.waiters.push(waiter);
      signal.onCancel(() => finish(null));
    });
  }

  /**
   * Entries queued per lane (tasks that went stale meanwhile included: they are skipped when
   * reached). For diagnostics and tests.
   */
  depth(namespace: string, kind: TaskQueueKind, name: string): { interactive: number; backlog: number } {
    const q = this.queues.get(`${namespace}\u0000${kind}\u0000${name}`);
    return { interactive: q?.interactive.length ?? 0, backlog: (q?.tasks.length ?? 0) + (q?.warm.length ?? 0) };
  }

  /** Number of pollers seen on the queue recently (for DescribeTaskQueue-like answers). */
  hasRecentPoller(namespace: string, kind: TaskQueueKind, name: string, withinMs: number): boolean {
    const q = this.queues.get(`${namespace}\u0000${kind}\u0000${name}`);
    return !!q && (q.waiters.length > 0 || Date.now() - q.lastPollTime < withinMs);
  }

  /**
   * True when a poll of the queue is waiting now or arrived within `withinMs` (wall time): its
   * worker is alive. A queue never polled, or answered empty at a worker's shutdown, is not.
   */
  polledWithin(namespace: string, kind: TaskQueueKind, name: string, withinMs: number): boolean {
    const q = this.queues.get(`${namespace}\u0000${kind}\u0000${name}`);
    if (!q) return false;
    return q.waiters.some((w) => !w.gone()) || (q.lastPollTime > q.shutdownTime && Date.now() - q.lastPollTime < withinMs);
  }

  /** Answers empty every waiting poll whose request matches (a worker shutting down). */
  completePolls(match: (request: Msg) => boolean): number {
    let n = 0;
    for (const q of this.queues.values()) {
      for (const w of [...q.waiters]) {
        if (!w.gone() && match(w.request)) {
          w.resolve(null);
          q.shutdownTime = Date.now();
          n++;
        }
      }
    }
    return n;
  }

  /** Answers every waiting poll empty (engine shutdown). */
  close(): void {
    for (const q of this.queues.values()) {
      for (const w of [...q.waiters]) w.resolve(null);
      q.tasks.length = 0;
      q.interactive.length = 0;
      q.warm.clear();
    }
  }

  private takeOne(q: TaskQueue, request: Msg): Msg | null {
    while (q.interactive.length > 0 || q.tasks.length > 0 || q.warm.length > 0) {
      const task = q.interactive.length > 0 ? q.interactive.shift()! : this.next(q);
      const response = task.dispatch(request);
      if (response) return response;
    }
    return null;
  }

  /** The next task: the older of the plain queue's head and the warm backlog's slice, the plain one on a tie. */
  private next(q: TaskQueue): QueuedTask {
    if (q.warm.length === 0) return q.tasks.shift()!;
    if (q.tasks.length === 0) return q.warm.shift()!;
    const plainSlice = Math.floor((q.queuedAt.get(q.tasks[0]) ?? 0) / WARM_SLICE_MS);
    return plainSlice <= q.warm.oldestSlice()! ? q.tasks.shift()! : q.warm.shift()!;
  }

  private drain(q: TaskQueue): void {
    while (q.interactive.length > 0 || q.tasks.length > 0 || q.warm.length > 0) {
      const waiter = q.waiters.find((w) => !w.gone());
      if (!waiter) return;
      const response = this.takeOne(q, waiter.request);
      if (!response) return;
      waiter.resolve(response);
    }
  }
}
