/**
 * Writing runs back to the store (Temporal: the execution manager's update of mutable state and
 * history in one persistence transaction, service/history/workflow/context.go): every run a
 * state change touched is marked dirty, then written once, one atomic append per run, in the
 * order its changes were made. A caller answers only once the writes it depends on are durable.
 */
import type { VisibilityRecord } from '../persistence/store';
import type { HistoryDeps } from './historyService';
import { STATUS, type Execution } from './execution';
import { runStateOf, startOf } from './mutableState';

/** The fields of a run's visibility row other than its history length and size (see `visibilityToWrite`). */
interface VisibilityKey {
  status: string;
  closeTime?: number;
  executionTime?: number;
  workflowType: string;
  taskQueue: string;
  memo?: unknown;
  searchAttributes?: unknown;
  buildIds: number;
}

/** What write-back needs: the store and two of the history service's hooks (see {@link HistoryDeps}), and the service's view of a run. */
export interface WriteBackDeps extends Pick<HistoryDeps, 'store' | 'onChange' | 'onStoreFailure'> {
  /** The visibility row of a run, made from its state. */
  visibilityRow: (exec: Execution) => VisibilityRecord;
  /** A run's write is durable (the run cache pages out what it no longer needs). */
  onWritten: (exec: Execution) => void;
}

/** The part of a run's state snapshot that history does not say: unchanged, it is not written again. */
function snapshotChangeKey(snapshot: ReturnType<typeof runStateOf>): string {
  return JSON.stringify([snapshot.buffered, snapshot.activities, snapshot.wtAttempt, snapshot.requestIds]);
}

/** The runs touched since the last write, and the chain of store writes per run. */
export class WriteBack {
  private readonly dirty = new Set<Execution>();
  private readonly writeChains = new Map<string, Promise<void>>();
  /** Settles once every store write started so far has (see {@link WriteBack.durable}). */
  private allWritten: Promise<unknown> = Promise.resolve();
  /** The last run-state snapshot written per run (unchanged snapshots are not written again). */
  private readonly savedSnapshots = new WeakMap<Execution, string>();
  /** What the last visibility row written per run showed, besides its history length and size. */
  private readonly savedVisibility = new WeakMap<Execution, VisibilityKey>();
  private flushQueued = false;

  constructor(private readonly deps: WriteBackDeps) {}

  markDirty(exec: Execution): void {
    this.dirty.add(exec);
  }

  /** True while the run has changes not handed to the store yet. */
  isDirty(exec: Execution): boolean {
    return this.dirty.has(exec);
  }

  /** A run read back from the store: what it holds is what was last written. */
  rememberWritten(exec: Execution): void {
    this.savedSnapshots.set(exec, snapshotChangeKey(runStateOf(exec)));
  }

  /** A run left memory. */
  forget(exec: Execution): void {
    this.savedSnapshots.delete(exec);
  }

  /** Writes every touched run to the store (one atomic append per run) and wakes waiters. */
  async flush(): Promise<void> {
    await Promise.all(this.writeDirty());
    // Writes started elsewhere (a task handed out from a poll, a timer) must be durable too
    // before the caller answers: a reply never reveals state the store might not have.
    await this.durable();
  }

  /** Resolves when every store write started so far has settled. */
  async durable(): Promise<void> {
    await this.allWritten;
  }

  /**
   * Writes touched runs from a timer or other fire-and-forget context (failures stop the engine:
   * see writeDirty), once for everything touched in the same turn: a burst of timers firing
   * together is one pass over the touched runs, handed to the store's group commit at once.
   */
  flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      if (this.dirty.size > 0) void Promise.all(this.writeDirty()).catch(() => undefined);
    });
  }

  /** Starts one store write per touched run; returns them. */
  private writeDirty(): Promise<void>[] {
    const touched = [...this.dirty];
    this.dirty.clear();
    const writes: Promise<void>[] = [];
    for (const exec of touched) {
      const events = exec.takeUnsaved();
      const prev = this.writeChains.get(exec.runKey) ?? Promise.resolve();
      const created = exec.created;
      exec.created = false;
      const visibility = this.visibilityToWrite(exec, created);
      // The snapshot goes with the run's creation too: a start retried after a crash must find
      // its request id. It goes with every write of events (the mutable state changed with
      // them); a write without events sends it only when what history does not say changed.
      const snapshot = runStateOf(exec);
      const changeKey = snapshotChangeKey(snapshot);
      const runState = created || events.length > 0 || this.savedSnapshots.get(exec) !== changeKey ? snapshot : undefined;
      this.savedSnapshots.set(exec, changeKey);
      const next = prev.then(async () => {
        if (created) await this.deps.store.createRun({ runKey: exec.runKey, namespace: exec.namespace, workflowId: exec.workflowId, runId: exec.runId, start: startOf(exec) }, events, visibility ?? this.deps.visibilityRow(exec), runState);
        else await this.deps.store.appendEvents(exec.runKey, events, { visibility, runState });
        if (events.length > 0) exec.savedEventId = Math.max(exec.savedEventId, Number(events[events.length - 1].eventId));
        // History readers (long polls, result()) see events only once they are durable.
        if (events.length > 0) exec.notifyHistoryWaiters();
        this.deps.onWritten(exec);
      });
      const chained = next.catch(() => undefined);
      this.writeChains.set(exec.runKey, chained);
      // The chain's end leaves the map once written (100 000 open runs, one entry each, otherwise).
      void chained.then(() => {
        if (this.writeChains.get(exec.runKey) === chained) this.writeChains.delete(exec.runKey);
      });
      next.catch((err) => this.deps.onStoreFailure(err));
      // O(1) per write: `durable()` waits for this chain, which settles once every write started
      // before it has (waiting on a copy of every pending write made a burst of n writes O(n²)).
      this.allWritten = Promise.allSettled([this.allWritten, next]);
      writes.push(next);
    }
    this.deps.onChange();
    return writes;
  }

  /**
   * The visibility row to write with a run's write: always with its creation and once closed;
   * for an open run only when something other than its history length and size changed (open
   * runs are listed from memory, `residentVisibility`; a store keeps what it was last sent), so
   * most writes neither build nor send one (issue 9).
   */
  private visibilityToWrite(exec: Execution, created: boolean): VisibilityRecord | undefined {
    const key: VisibilityKey = {
      status: exec.status,
      closeTime: exec.closeTime,
      executionTime: exec.executionTime,
      workflowType: exec.workflowType,
      taskQueue: exec.taskQueue,
      memo: exec.memo,
      searchAttributes: exec.searchAttributes,
      buildIds: exec.binaryChecksums.length,
    };
    const last = this.savedVisibility.get(exec);
    this.savedVisibility.set(exec, key);
    const unchanged = last !== undefined && (Object.keys(key) as Array<keyof VisibilityKey>).every((k) => last[k] === key[k]);
    if (!created && unchanged && exec.status === STATUS.running) return undefined;
    return this.deps.visibilityRow(exec);
  }
}
