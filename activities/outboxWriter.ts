/**
 * The outbox's group commit (issue 9): batches that arrive while earlier ones are being written
 * wait, and go together in the next statement (activities/outboxStatement.ts `writeOutboxes`).
 * Most of a batch's cost in PostgreSQL is the statement, not its rows (0.45 ms of CPU for one
 * escalation alone, 0.2 ms each in a statement of twenty), so under load, when a deadline burst
 * brings hundreds of escalations a second, N work orders cost about one statement and one commit.
 * With nothing waiting a batch leaves at once: no timer, no added latency.
 *
 * - At most one batch per work order in a statement, and a work order's next batch waits until
 *   its previous one has committed, so one work order's batches are written in call order.
 * - All or nothing per statement: if a grouped statement fails, each of its batches is written
 *   alone, so one batch that cannot be written fails only its own local activity (which retries).
 */
import type { PoolClient } from 'pg';
import { writeOutboxes, type OutboxWrite, type OutboxWritten } from './outboxStatement';

type Queryable = Pick<PoolClient, 'query'>;

/** How batches are grouped (ActivityDeps `outboxGrouping`). */
export interface OutboxGrouping {
  /** Most work orders in one statement. */
  maxBatch: number;
  /** Statements being written at the same time (each takes a connection of the pool). */
  maxInFlight: number;
}

/**
 * Up to 50 work orders per statement, two statements at once (of the service's 20 connections):
 * in a burst an escalation waits for at most one statement before its own leaves
 * (OUTBOX_MAX_BATCH, OUTBOX_MAX_IN_FLIGHT).
 */
export const DEFAULT_OUTBOX_GROUPING: OutboxGrouping = { maxBatch: 50, maxInFlight: 2 };

interface Queued {
  input: OutboxWrite;
  resolve(written: OutboxWritten): void;
  reject(error: unknown): void;
}

/** Writes work orders' outbox batches, grouped while statements are in flight. */
export class OutboxWriter {
  private queue: Queued[] = [];
  private readonly writing = new Set<string>();
  private inFlight = 0;

  constructor(
    private readonly db: Queryable,
    private readonly now: () => Date,
    private readonly grouping: OutboxGrouping,
  ) {}

  /** Resolves once the batch is committed, with what it wrote; rejects with why it could not be. */
  write(input: OutboxWrite): Promise<OutboxWritten> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.grouping.maxInFlight && this.queue.length > 0) {
      const group = this.takeGroup();
      if (group.length === 0) return;
      this.inFlight++;
      for (const q of group) this.writing.add(q.input.workOrderId);
      void this.run(group).finally(() => {
        this.inFlight--;
        for (const q of group) this.writing.delete(q.input.workOrderId);
        this.pump();
      });
    }
  }

  /** In arrival order, skipping work orders being written or already in the group (and their later batches). */
  private takeGroup(): Queued[] {
    const group: Queued[] = [];
    const taken = new Set<string>();
    const rest: Queued[] = [];
    for (const q of this.queue) {
      const id = q.input.workOrderId;
      if (group.length < this.grouping.maxBatch && !this.writing.has(id) && !taken.has(id)) group.push(q);
      else rest.push(q);
      taken.add(id);
    }
    this.queue = rest;
    return group;
  }

  private async run(group: Queued[]): Promise<void> {
    try {
      const written = await writeOutboxes(this.db, group.map((q) => q.input), this.now());
      group.forEach((q, i) => q.resolve(written[i]));
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      // The statement was rolled back as a whole: each batch alone finds the one that fails.
      await Promise.all(group.map((q) => writeOutboxes(this.db, [q.input], this.now()).then(([w]) => q.resolve(w), q.reject)));
    }
  }
}
