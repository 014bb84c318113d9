/**
 * Group commit: writes that arrive while a batch is being committed wait and go together in the
 * next batch, so N concurrent acknowledged changes cost one round trip and one commit instead of
 * N. Two rules keep the per-run contract:
 * - a batch holds at most one write per run (the batch statement checks each run's last event id
 *   once, against the stored row), and
 * - a run's next write waits until its previous batch has committed; writes of one run leave in
 *   call order.
 */

/** One queued write; `key` is the run it belongs to. */
export interface GroupOp<T> {
  key: string;
  value: T;
}

/** The outcome of one op in a committed batch: undefined = stored, else the reason it was refused. */
export type OpOutcome = Error | undefined;

export interface GroupCommitOptions {
  /** Most ops in one batch. */
  maxBatch: number;
  /** Batches committing at the same time (each on its own connection). */
  maxInFlight: number;
}

interface Pending<T> extends GroupOp<T> {
  resolve(): void;
  reject(err: Error): void;
}

/** Counters for the bench and for tests. */
export interface GroupCommitStats {
  batches: number;
  ops: number;
  largestBatch: number;
}

export class GroupCommitter<T> {
  private queue: Array<Pending<T>> = [];
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private closed = false;
  private readonly idleWaiters: Array<() => void> = [];
  readonly stats: GroupCommitStats = { batches: 0, ops: 0, largestBatch: 0 };

  /**
   * @param commit - writes a batch atomically and returns one outcome per op (same order); a
   *   thrown error fails the whole batch (its ops are then retried one by one, so a single bad
   *   op cannot fail its neighbours).
   */
  constructor(
    private readonly commit: (ops: Array<GroupOp<T>>) => Promise<OpOutcome[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Queues a write; resolves once it is committed, rejects with the reason it was refused. */
  submit(key: string, value: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error('engine store is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ key, value, resolve, reject });
      this.pump();
    });
  }

  /** Resolves when nothing is queued or committing. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new writes; queued ones still go out. */
  close(): void {
    this.closed = true;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) break;
      this.inFlight++;
      for (const op of batch) this.busy.add(op.key);
      this.stats.batches++;
      this.stats.ops += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      void this.run(batch).finally(() => {
        this.inFlight--;
        for (const op of batch) this.busy.delete(op.key);
        this.pump();
        if (this.queue.length === 0 && this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  /** FIFO, skipping runs that are busy or already in the batch (and every later op of them). */
  private takeBatch(): Array<Pending<T>> {
    const batch: Array<Pending<T>> = [];
    const inBatch = new Set<string>();
    const rest: Array<Pending<T>> = [];
    for (const op of this.queue) {
      if (batch.length < this.options.maxBatch && !this.busy.has(op.key) && !inBatch.has(op.key)) {
        batch.push(op);
        inBatch.add(op.key);
      } else {
        // Later ops of a skipped run stay behind too: `inBatch` already holds the run, or it is busy.
        inBatch.add(op.key);
        rest.push(op);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async run(batch: Array<Pending<T>>): Promise<void> {
    let outcomes: OpOutcome[];
    try {
      outcomes = await this.commit(batch);
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(asError(err));
        return;
      }
      // Find the culprit: each op alone (the batch was rolled back as a whole).
      for (const op of batch) {
        try {
          const [one] = await this.commit([op]);
          if (one) op.reject(one);
          else op.resolve();
        } catch (e) {
          op.reject(asError(e));
        }
      }
      return;
    }
    batch.forEach((op, i) => {
      const outcome = outcomes[i];
      if (outcome) op.reject(outcome);
      else op.resolve();
    });
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
