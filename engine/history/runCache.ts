/**
 * The runs in memory (Temporal: service/history/workflow/cache): every open run, with only the
 * events a sticky task needs, and the most recently used closed runs; whatever left memory is
 * read back from the store on demand. Open runs never leave (their timers and tasks live here);
 * the tails of idle ones and closed runs do, under caps (issue 9: at 100 000 open work orders the
 * idle tails were most of the engine's memory).
 */
import { runKeyOf } from '../persistence/store';
import { workflowNotFound } from '../errors';
import type { Msg } from '../proto';
import type { Execution, UpdateState } from './execution';
import type { HistoryDeps } from './historyService';
import { replay, restoreRequestIds } from './recovery';
import { runFootprint, type RunFootprint } from './runFootprint';
import type { WriteBack } from './writeBack';

/** What the cache needs of the history service's dependencies (see {@link HistoryDeps} for each). */
export type RunCacheOptions = Pick<HistoryDeps, 'store' | 'closedRunCacheSize' | 'residentTailRuns' | 'onRunEvicted'>;

/** The runs in memory, by run key, and the current run of each workflow id. */
export class RunCache {
  readonly runs = new Map<string, Execution>();
  /** `namespace/workflowId` -> run key of the newest run (set by a start, see api/startWorkflow). */
  readonly current = new Map<string, string>();
  /**
   * Open runs with more than their last event resident, least recently written first (see
   * {@link HistoryDeps.residentTailRuns}): at 100 000 open work orders created live, the tails
   * of idle runs (the first task's commands and local-activity markers, payloads included) were
   * most of the engine's memory, which a restart (no tails) did not have (issue 9).
   */
  private readonly warmTails = new Map<string, Execution>();
  /**
   * Open runs taken out of {@link warmTails} by its cap while a workflow task of theirs waited in
   * a queue: they keep their tail until their next write (the task's completion), so the poll
   * that takes the task does not read it back. In a burst of passed deadlines beyond the cap,
   * every run's tail was paged out before its task was polled, and read back (issue 9).
   */
  private readonly queuedTails = new Map<string, Execution>();
  /** Closed runs still in memory, least recently used first (see {@link HistoryDeps.closedRunCacheSize}). */
  private readonly closedRuns = new Map<string, Execution>();
  /** Loads from the store in progress, by run key (or `namespace/workflowId` for the current run). */
  private readonly loading = new Map<string, Promise<void>>();
  /** Workflow-task and query responses whose older history is still to be read from the store. */
  private readonly historyFills = new WeakMap<Msg, { exec: Execution; fromId: number; toId: number }>();
  private evictionQueued = false;

  constructor(
    private readonly options: RunCacheOptions,
    private readonly writes: WriteBack,
  ) {}

  /** The run named by id (newest run when runId is empty), or NOT_FOUND. */
  getRun(namespace: string, workflowId: string, runId?: string): Execution {
    if (runId) {
      const exec = this.runs.get(runKeyOf(namespace, workflowId, runId));
      if (!exec) throw workflowNotFound(workflowId, runId);
      return exec;
    }
    const key = this.current.get(`${namespace}/${workflowId}`);
    const exec = key ? this.runs.get(key) : undefined;
    if (!exec) throw workflowNotFound(workflowId);
    return exec;
  }

  /** The run named by id, or undefined (no error built: every new workflow id asks this). */
  findRun(namespace: string, workflowId: string, runId?: string): Execution | undefined {
    if (runId) return this.runs.get(runKeyOf(namespace, workflowId, runId));
    const key = this.current.get(`${namespace}/${workflowId}`);
    return key ? this.runs.get(key) : undefined;
  }

  /** Adds a run rebuilt from the store (at start-up, or a closed run read back). */
  adoptRecovered(exec: Execution): void {
    this.runs.set(exec.runKey, exec);
    const key = `${exec.namespace}/${exec.workflowId}`;
    const known = this.runs.get(this.current.get(key) ?? '');
    if (!known || (known.isOpen ? false : exec.isOpen || exec.startTime >= known.startTime)) this.current.set(key, exec.runKey);
  }

  /**
   * After a durable write: an open run keeps only the events a sticky task needs; a closed run
   * keeps its last event and joins the closed-run cache, whose oldest idle members leave memory.
   */
  pageOut(exec: Execution): void {
    if (this.runs.get(exec.runKey) !== exec) return;
    if (exec.isOpen) {
      // A sticky task carries only the events after the last started task.
      exec.trimBefore(exec.previousStartedEventId + 1);
      this.pageOutUpdateOutcomes(exec);
      this.touchTail(exec);
      return;
    }
    this.warmTails.delete(exec.runKey);
    this.queuedTails.delete(exec.runKey);
    exec.trimBefore(exec.eventCount);
    this.touchClosed(exec);
  }

  /**
   * Marks an open run's resident tail recently written; the least recently written tails beyond
   * the cap leave memory, the last event with them (a run created live then holds no more than
   * one rebuilt at start-up).
   */
  private touchTail(exec: Execution): void {
    this.warmTails.delete(exec.runKey);
    this.queuedTails.delete(exec.runKey);
    if (exec.events.length === 0) return;
    this.warmTails.set(exec.runKey, exec);
    const cap = this.options.residentTailRuns ?? 2000;
    for (const [key, old] of this.warmTails) {
      if (this.warmTails.size <= cap) break;
      this.warmTails.delete(key);
      if (this.runs.get(key) !== old) continue;
      if (old.wt && old.wt.startedEventId === undefined) {
        this.queuedTails.set(key, old);
        continue;
      }
      // Only durable events leave (pageOutEvents keeps any the store has not acknowledged).
      old.pageOutEvents();
    }
  }

  /**
   * Outcomes of completed updates leave memory once durable (they are in the completion event, as
   * Temporal's mutable state keeps only the update's event ids): not at the write that made one
   * durable, when its caller is about to answer with it, but at the run's next write.
   */
  private pageOutUpdateOutcomes(exec: Execution): void {
    for (const u of exec.updates.values()) {
      if (u.outcome === undefined || u.completedEventId === undefined || u.completedEventId > exec.savedEventId) continue;
      if (u.outcomeDurable) u.outcome = undefined;
      else u.outcomeDurable = true;
    }
  }

  /** The outcome of a completed update: resident, or read from its completion event in the store. */
  async updateOutcome(exec: Execution, u: UpdateState): Promise<Msg | undefined> {
    if (u.stage !== 'completed') return undefined;
    if (u.outcome !== undefined || u.completedEventId === undefined) return u.outcome;
    const [event] = await this.readHistory(exec, u.completedEventId, u.completedEventId);
    return event?.workflowExecutionUpdateCompletedEventAttributes?.outcome;
  }

  /**
   * Marks a closed run recently used; the least recently used idle ones leave memory soon after
   * (not at once: the caller that touched it still uses it).
   */
  private touchClosed(exec: Execution): void {
    this.closedRuns.delete(exec.runKey);
    this.closedRuns.set(exec.runKey, exec);
    if (this.evictionQueued) return;
    this.evictionQueued = true;
    setImmediate(() => {
      this.evictionQueued = false;
      this.evictColdClosedRuns();
    });
  }

  private evictColdClosedRuns(): void {
    const cap = this.options.closedRunCacheSize ?? 1000;
    let tries = this.closedRuns.size;
    for (const [key, old] of this.closedRuns) {
      if (this.closedRuns.size <= cap || tries-- <= 0) break;
      this.closedRuns.delete(key);
      // Something still waits on it (a query, a history long poll, a write): keep it for now.
      if (!this.isQuiet(old)) {
        this.closedRuns.set(key, old);
        continue;
      }
      this.evict(old);
    }
  }

  /** Retention deleted a closed run from the store: it leaves memory too. */
  forgetClosedRun(runKey: string): void {
    const exec = this.runs.get(runKey);
    if (!exec || exec.isOpen) return;
    this.evict(exec);
  }

  private evict(exec: Execution): void {
    this.closedRuns.delete(exec.runKey);
    this.warmTails.delete(exec.runKey);
    this.queuedTails.delete(exec.runKey);
    this.runs.delete(exec.runKey);
    const currentKey = `${exec.namespace}/${exec.workflowId}`;
    if (this.current.get(currentKey) === exec.runKey) this.current.delete(currentKey);
    this.writes.forget(exec);
    this.options.onRunEvicted?.(exec);
  }

  private isQuiet(exec: Execution): boolean {
    if (exec.isOpen || exec.unsaved.length > 0 || exec.savedEventId < exec.eventCount || this.writes.isDirty(exec)) return false;
    if (exec.historyWaiters.length > 0 || exec.legacyQueries.size > 0 || exec.waitingQueries.length > 0) return false;
    for (const u of exec.updates.values()) if (u.waiters.length > 0) return false;
    return true;
  }

  /** How many runs are in memory: open ones and cached closed ones. */
  residentRuns(): { open: number; closed: number; openWithTail: number } {
    return { open: this.runs.size - this.closedRuns.size, closed: this.closedRuns.size, openWithTail: this.warmTails.size + this.queuedTails.size };
  }

  /** What the open runs in memory hold, by structure (diagnostics and tests: {@link runFootprint}). */
  openRunFootprint(): RunFootprint {
    return runFootprint(this.runs.values());
  }

  /**
   * Makes sure the named run (the current one of the workflow id when `runId` is empty) is in
   * memory: a closed run that left memory is read back from the store. Open runs are always
   * resident. Call before the synchronous {@link getRun}/{@link findRun}.
   */
  async ensureLoaded(namespace: string, workflowId: string, runId?: string): Promise<void> {
    const resident = this.findRun(namespace, workflowId, runId);
    if (resident) {
      if (!resident.isOpen && this.closedRuns.has(resident.runKey)) this.touchClosed(resident);
      return;
    }
    const loadKey = runId ? runKeyOf(namespace, workflowId, runId) : `${namespace}/${workflowId}`;
    let pending = this.loading.get(loadKey);
    if (!pending) {
      pending = this.loadFromStore(namespace, workflowId, runId).finally(() => this.loading.delete(loadKey));
      this.loading.set(loadKey, pending);
    }
    await pending;
  }

  private async loadFromStore(namespace: string, workflowId: string, runId?: string): Promise<void> {
    const store = this.options.store;
    const runKey = runId ? runKeyOf(namespace, workflowId, runId) : await store.latestRunKey(namespace, workflowId);
    if (!runKey || this.runs.has(runKey)) return;
    const stored = await store.loadRun(runKey);
    // Open runs never leave memory, so one found only in the store is closed (or unknown).
    if (!stored || stored.events.length === 0 || this.runs.has(runKey) || this.findRun(namespace, workflowId, runId)) return;
    const exec = replay(stored.run.runKey, stored.run.namespace, stored.run.workflowId, stored.run.runId, stored.events, stored.historySizeBytes);
    if (exec.isOpen) return;
    if (stored.state) restoreRequestIds(exec, stored.state);
    exec.savedEventId = exec.eventCount;
    this.writes.rememberWritten(exec);
    this.adoptRecovered(exec);
    exec.trimBefore(exec.eventCount);
    this.touchClosed(exec);
  }

  /**
   * Events `fromId..toId` of a run: the resident tail from memory, older ones from the store
   * (they are durable, or they would not have been paged out).
   */
  async readHistory(exec: Execution, fromId: number, toId: number = exec.eventCount): Promise<Msg[]> {
    if (fromId > toId) return [];
    const resident = exec.residentFrom(fromId);
    if (resident) return resident.slice(0, toId - fromId + 1);
    const tailStart = exec.tailStart;
    const tail = exec.events.slice(0, Math.max(0, toId - tailStart + 1));
    const stored = await this.options.store.readEvents(exec.runKey, fromId);
    const older = stored.filter((e) => Number(e.eventId) < tailStart && Number(e.eventId) <= toId);
    return [...older, ...tail];
  }

  /** History `fromId..toId` for a task response: resident events now, or a fill after the poll's flush. */
  taskHistory(exec: Execution, fromId: number, toId: number, res: Msg): void {
    const resident = exec.residentFrom(fromId);
    if (resident) res.history = { events: resident.slice(0, toId - fromId + 1) };
    else {
      res.history = { events: [] };
      this.historyFills.set(res, { exec, fromId, toId });
    }
  }

  /**
   * A workflow-task or query-task response built from resident events only: reads the paged-out
   * part of its history from the store (call after the poll's flush, before answering it).
   */
  async completeTaskHistory(res: Msg | null | undefined): Promise<void> {
    const fill = res ? this.historyFills.get(res) : undefined;
    if (!res || !fill) return;
    this.historyFills.delete(res);
    res.history = { events: await this.readHistory(fill.exec, fill.fromId, fill.toId) };
  }
}
