import { randomUUID } from 'node:crypto';
import { failedPrecondition, invalidArgument, notFound, workflowNotFound } from '../errors';
import type { Matching } from '../matching/taskQueues';
import type { EngineStore, VisibilityRecord } from '../persistence/store';
import { runKeyOf } from '../persistence/store';
import { durationToMs, msToDuration, msToTimestamp, packAny, type Msg } from '../proto';
import type { OffsetClock } from '../timers/clock';
import type { TimerQueue } from '../timers/timerQueue';
import { Execution, PendingQuery, STATUS, UpdateStage, UpdateState, attrsOf } from './execution';
import { SharedValues, runStateOf, startOf } from './mutableState';
import { runFootprint, type RunFootprint } from './runFootprint';
import { replay, restoreRequestIds } from './recovery';
import { encodeToken, type TaskToken } from './tokens';
import { clearActivityTimers } from './activityTasks';

export interface HistoryDeps {
  clock: OffsetClock;
  timers: TimerQueue;
  matching: Matching;
  store: EngineStore;
  /** Called after every state change (the time skipper re-checks idleness). */
  onChange: () => void;
  /**
   * A store write failed: memory is now ahead of the store, so the engine must stop serving
   * (a restart rebuilds from the store, which is the truth).
   */
  onStoreFailure: (err: unknown) => void;
  /** Validates search attributes and stamps their type metadata (visibility owns the types). */
  typeSearchAttributes: (namespace: string, sa: Msg | undefined) => Msg | undefined;
  /** Largest payload field a command may carry (bytes); larger ones terminate the run, as in Temporal. */
  blobSizeLimitError?: number;
  /**
   * Closed runs kept in memory after they close (most recently used first out last); older ones
   * leave memory and are read back from the store on demand. Default 1 000.
   */
  closedRunCacheSize?: number;
  /** A run left memory (visibility drops its in-memory row). */
  onRunEvicted?: (exec: Execution) => void;
  /**
   * Open runs that keep the events a sticky task needs (those after the last started task) in
   * memory, most recently written last out; the others keep only their last event and read
   * that tail back from the store when a task needs it, as a run recovered at start does.
   * Default 2 000 (about twice the worker's cache: a run the worker evicted gets full history anyway).
   */
  residentTailRuns?: number;
}

/** Options of a start that come from the engine rather than the request (children, continue-as-new). */
export interface StartExtras {
  runId?: string;
  parent?: { namespace: string; workflowId: string; runId: string; initiatedEventId: number };
  continuedFrom?: Execution;
  initiator?: string;
  lastCompletionResult?: Msg;
  continuedFailure?: Msg;
  attempt?: number;
  firstExecutionRunId?: string;
  executionDeadline?: number;
  backoffMs?: number;
  rootExecution?: { workflowId: string; runId: string };
  /**
   * Runs on a newly started run before its first workflow task is queued, so what it adds (an
   * update-with-start's update, a signal-with-start's signal) is in that task even when a poller
   * already waits and takes it at once.
   */
  beforeFirstTask?: (exec: Execution) => void;
}

export const DEFAULT_WT_TIMEOUT_MS = 10_000;
export const MAX_WT_TIMEOUT_MS = 120_000;
/** Update stages in order (sent counts as admitted: the worker has not answered yet). */
export const STAGE_ORDER: Record<UpdateStage, number> = { admitted: 1, sent: 1, accepted: 2, completed: 3 };

/** The fields of a run's visibility row other than its history length and size (see `visibilityToWrite`). */
interface VisibilityKey {
  status: string;
  closeTime?: number;
  executionTime?: number;
  workflowType: string;
  taskQueue: string;
  memo?: Msg;
  searchAttributes?: Msg;
  buildIds: number;
}

/**
 * History: the mutable state and event log of every run, and the only place events are appended.
 * Each public operation changes state synchronously, then awaits one store write per touched run
 * ({@link HistoryService.flush}) before the frontend answers.
 */
export class HistoryService {
  readonly runs = new Map<string, Execution>();
  /** `namespace/workflowId` -> run key of the newest run (set by a start, see api/startWorkflow). */
  readonly current = new Map<string, string>();
  /**
   * Values many runs hold equal (names, build ids, the sticky queue, start attributes, search
   * attributes and memo), one compact copy for all: runs rebuilt at start-up and runs created
   * live alike (issue 9: a run created live kept views into its gRPC requests instead).
   */
  readonly shared = new SharedValues();
  private readonly dirty = new Set<Execution>();
  private readonly writeChains = new Map<string, Promise<void>>();
  /** Settles once every store write started so far has (see {@link HistoryService.durable}). */
  private allWritten: Promise<unknown> = Promise.resolve();
  /** The last run-state snapshot written per run (unchanged snapshots are not written again). */
  private readonly savedSnapshots = new WeakMap<Execution, string>();
  /** What the last visibility row written per run showed, besides its history length and size. */
  private readonly savedVisibility = new WeakMap<Execution, VisibilityKey>();
  /** Hooks for workflow-to-workflow effects (children, external signals), set by the engine. */
  onRunClosed: (exec: Execution) => void = () => undefined;
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

  constructor(readonly deps: HistoryDeps) {}

  now(): number {
    return this.deps.clock.now();
  }

  // ---------------------------------------------------------------- lookup and persistence

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

  markDirty(exec: Execution): void {
    this.dirty.add(exec);
  }

  /** Writes every touched run to the store (one atomic append per run) and wakes waiters. */
  async flush(): Promise<void> {
    await Promise.all(this.writeDirty());
    // Writes started elsewhere (a task handed out from a poll, a timer) must be durable too
    // before the caller answers: a reply never reveals state the store might not have.
    await this.durable();
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
      const changeKey = JSON.stringify([snapshot.buffered, snapshot.activities, snapshot.wtAttempt, snapshot.requestIds]);
      const runState = created || events.length > 0 || this.savedSnapshots.get(exec) !== changeKey ? snapshot : undefined;
      this.savedSnapshots.set(exec, changeKey);
      const next = prev.then(async () => {
        if (created) await this.deps.store.createRun({ runKey: exec.runKey, namespace: exec.namespace, workflowId: exec.workflowId, runId: exec.runId, start: startOf(exec) }, events, visibility ?? this.visibilityRow(exec), runState);
        else await this.deps.store.appendEvents(exec.runKey, events, { visibility, runState });
        if (events.length > 0) exec.savedEventId = Math.max(exec.savedEventId, Number(events[events.length - 1].eventId));
        // History readers (long polls, result()) see events only once they are durable.
        if (events.length > 0) exec.notifyHistoryWaiters();
        this.pageOut(exec);
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
    return this.visibilityRow(exec);
  }

  /** Resolves when every store write started so far has settled. */
  async durable(): Promise<void> {
    await this.allWritten;
  }

  /**
   * After a durable write: an open run keeps only the events a sticky task needs; a closed run
   * keeps its last event and joins the closed-run cache, whose oldest idle members leave memory.
   */
  private pageOut(exec: Execution): void {
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
    const cap = this.deps.residentTailRuns ?? 2000;
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

  private evictionQueued = false;

  private evictColdClosedRuns(): void {
    const cap = this.deps.closedRunCacheSize ?? 1000;
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
    this.savedSnapshots.delete(exec);
    this.deps.onRunEvicted?.(exec);
  }

  private isQuiet(exec: Execution): boolean {
    if (exec.isOpen || exec.unsaved.length > 0 || exec.savedEventId < exec.eventCount || this.dirty.has(exec)) return false;
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
    const store = this.deps.store;
    const runKey = runId ? runKeyOf(namespace, workflowId, runId) : await store.latestRunKey(namespace, workflowId);
    if (!runKey || this.runs.has(runKey)) return;
    const stored = await store.loadRun(runKey);
    // Open runs never leave memory, so one found only in the store is closed (or unknown).
    if (!stored || stored.events.length === 0 || this.runs.has(runKey) || this.findRun(namespace, workflowId, runId)) return;
    const exec = replay(stored.run.runKey, stored.run.namespace, stored.run.workflowId, stored.run.runId, stored.events, stored.historySizeBytes);
    if (exec.isOpen) return;
    if (stored.state) restoreRequestIds(exec, stored.state);
    exec.savedEventId = exec.eventCount;
    const saved = runStateOf(exec);
    this.savedSnapshots.set(exec, JSON.stringify([saved.buffered, saved.activities, saved.wtAttempt, saved.requestIds]));
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
    const stored = await this.deps.store.readEvents(exec.runKey, fromId);
    const older = stored.filter((e) => Number(e.eventId) < tailStart && Number(e.eventId) <= toId);
    return [...older, ...tail];
  }

  /**
   * A workflow-task or query-task response built from resident events only: reads the paged-out
   * part of its history from the store (call after {@link flush}, before answering the poll).
   */
  async completeTaskHistory(res: Msg | null | undefined): Promise<void> {
    const fill = res ? this.historyFills.get(res) : undefined;
    if (!res || !fill) return;
    this.historyFills.delete(res);
    res.history = { events: await this.readHistory(fill.exec, fill.fromId, fill.toId) };
  }

  /** History `fromId..toId` for a task response: resident events now, or a fill after the poll's flush. */
  private taskHistory(exec: Execution, fromId: number, toId: number, res: Msg): void {
    const resident = exec.residentFrom(fromId);
    if (resident) res.history = { events: resident.slice(0, toId - fromId + 1) };
    else {
      res.history = { events: [] };
      this.historyFills.set(res, { exec, fromId, toId });
    }
  }

  /** Adds a run rebuilt from the store at start-up. */
  adoptRecovered(exec: Execution): void {
    this.runs.set(exec.runKey, exec);
    const key = `${exec.namespace}/${exec.workflowId}`;
    const known = this.runs.get(this.current.get(key) ?? '');
    if (!known || (known.isOpen ? false : exec.isOpen || exec.startTime >= known.startTime)) this.current.set(key, exec.runKey);
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

  private flushQueued = false;

  /**
   * Visibility rows of the runs in memory of a namespace, made from their state. A run whose
   * creation is not stored yet is left out (its start was not acknowledged).
   */
  residentVisibility(namespace: string): VisibilityRecord[] {
    const rows: VisibilityRecord[] = [];
    for (const exec of this.runs.values()) if (exec.namespace === namespace && exec.savedEventId > 0) rows.push(this.visibilityRow(exec));
    return rows;
  }

  visibilityRow(exec: Execution): VisibilityRecord {
    const parent = exec.startedAttrs.parentWorkflowExecution;
    const root = exec.startedAttrs.rootWorkflowExecution;
    return {
      runKey: exec.runKey,
      namespace: exec.namespace,
      workflowId: exec.workflowId,
      runId: exec.runId,
      workflowType: exec.workflowType,
      taskQueue: exec.taskQueue,
      status: exec.status,
      startTime: exec.startTime,
      executionTime: exec.executionTime,
      closeTime: exec.closeTime,
      historyLength: exec.eventCount,
      historySizeBytes: exec.historySizeBytes,
      memo: exec.memo,
      searchAttributes: exec.allSearchAttributes(),
      parentWorkflowId: parent?.workflowId,
      parentRunId: parent?.runId,
      rootWorkflowId: root?.workflowId ?? exec.workflowId,
      rootRunId: root?.runId ?? exec.runId,
    };
  }

  /** True when nothing is queued or running anywhere (time may skip). */
  isIdle(): boolean {
    return this.inFlightCount() === 0;
  }

  /**
   * How many workflow tasks, activity attempts (not those waiting out a retry backoff) and
   * queries are queued or running: each holds a time-skipping lock.
   */
  inFlightCount(): number {
    let n = 0;
    for (const exec of this.runs.values()) {
      n += exec.legacyQueries.size + exec.waitingQueries.length;
      if (!exec.isOpen) continue;
      if (exec.wt) n++;
      for (const act of exec.activities.values()) if (act.phase !== 'backoff') n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- starting runs

  /** Arms the run timeout (run timeout or execution deadline, whichever is first). */
  armRunTimeout(exec: Execution): void {
    const runTimeout = durationToMs(exec.startedAttrs.workflowRunTimeout);
    const runDeadline = runTimeout > 0 ? exec.startTime + runTimeout : Infinity;
    const deadline = Math.min(runDeadline, exec.executionDeadline > 0 ? exec.executionDeadline : Infinity);
    if (deadline !== Infinity) exec.runTimer = this.deps.timers.schedule(deadline, () => this.timeOutRun(exec));
  }

  /** Holds the first workflow task until `at` (start delay, retry or cron backoff). */
  armStartBackoff(exec: Execution, at: number): void {
    exec.startBackoffTimer = this.deps.timers.schedule(at, () => {
      exec.startBackoffTimer = undefined;
      this.scheduleWorkflowTask(exec);
      this.flushSoon();
    });
  }

  /** After recovery: queues the scheduled workflow task again, or re-arms the running one's timeout. */
  resumeWorkflowTask(exec: Execution): void {
    const wt = exec.wt;
    if (!wt || !exec.isOpen) return;
    if (wt.startedEventId === undefined) {
      this.enqueueWorkflowTask(exec, false);
      return;
    }
    const sid = wt.scheduledEventId;
    const startedId = wt.startedEventId;
    wt.timeoutTimer = this.deps.timers.schedule((wt.startedTime ?? this.now()) + this.workflowTaskTimeoutMs(exec), () => this.timeOutWorkflowTask(exec, sid, startedId));
  }

  // ---------------------------------------------------------------- workflow tasks

  workflowTaskTimeoutMs(exec: Execution): number {
    return durationToMs(exec.startedAttrs.workflowTaskTimeout) || DEFAULT_WT_TIMEOUT_MS;
  }

  /** Schedules a workflow task unless one is pending or the run is closed. */
  scheduleWorkflowTask(exec: Execution): void {
    if (!exec.isOpen || exec.wt || exec.startBackoffTimer !== undefined) return;
    const now = this.now();
    exec.taskEverScheduled = true;
    const sticky = exec.sticky;
    const queueName = sticky ? sticky.queueName : exec.taskQueue;
    const ev = exec.append(
      'WorkflowTaskScheduled',
      {
        taskQueue: sticky ? { name: queueName, kind: 'TASK_QUEUE_KIND_STICKY', normalName: exec.taskQueue } : { name: queueName, kind: 'TASK_QUEUE_KIND_NORMAL' },
        startToCloseTimeout: msToDuration(this.workflowTaskTimeoutMs(exec)),
        attempt: exec.wtAttempt,
      },
      now,
    );
    exec.wt = { scheduledEventId: ev.eventId, attempt: exec.wtAttempt, queueName, sticky: !!sticky, scheduledTime: now, queries: exec.waitingQueries, sentUpdates: [] };
    exec.waitingQueries = [];
    this.markDirty(exec);
    this.enqueueWorkflowTask(exec, !!sticky);
    if (sticky) this.armStickyTimer(exec, sticky, now);
  }

  /**
   * The sticky schedule-to-start timeout: a task its sticky worker did not pick up in time is
   * served from the normal queue (full history). Unlike Temporal, not while that worker is still
   * polling its sticky queue: it is alive and working through a backlog (a burst of deadlines
   * queues a thousand tasks at once), and the normal queue would only make it replay each run
   * from its full history, read back from the store, at several times the cost (issue 9).
   */
  private armStickyTimer(exec: Execution, sticky: NonNullable<Execution['sticky']>, from: number): void {
    const wt = exec.wt!;
    const sid = wt.scheduledEventId;
    wt.stickyTimer = this.deps.timers.schedule(from + sticky.scheduleToStartMs, () => {
      if (exec.wt?.scheduledEventId !== sid || exec.wt.startedEventId !== undefined) return;
      if (exec.sticky === sticky && this.deps.matching.polledWithin(exec.namespace, 'workflow', sticky.queueName, sticky.scheduleToStartMs)) {
        this.armStickyTimer(exec, sticky, this.now());
        return;
      }
      this.rerouteToNormalQueue(exec);
    });
  }

  /** Serves a scheduled sticky task from the normal queue (sticky worker gone or too slow). */
  rerouteToNormalQueue(exec: Execution): void {
    const wt = exec.wt;
    if (!wt || wt.startedEventId !== undefined) return;
    this.deps.timers.cancel(wt.stickyTimer);
    wt.stickyTimer = undefined;
    exec.sticky = undefined;
    this.enqueueWorkflowTask(exec, false);
  }

  private enqueueWorkflowTask(exec: Execution, sticky: boolean): void {
    const wt = exec.wt!;
    const sid = wt.scheduledEventId;
    const queueName = sticky ? wt.queueName : exec.taskQueue;
    wt.interactive = personWaitsOn(exec);
    this.deps.matching.add(
      exec.namespace,
      'workflow',
      queueName,
      {
        dispatch: (poll) => this.startWorkflowTask(exec, sid, sticky, poll),
        // A timer's task joins the queue's warm backlog (matching/warmBacklog.ts, issue 9): a burst
        // of deadlines is handed out warmest run first, the runs a worker most likely still caches.
        ...(this.firingTimer && !wt.interactive ? { warmth: exec.lastTakenStamp } : {}),
      },
      wt.interactive ? 'interactive' : 'backlog',
    );
  }

  /**
   * A query or an update arrived for a run whose workflow task is queued, not started: the task
   * now carries it, so it moves to the interactive lane (issue 9: a person reading or acting on a
   * work order mid-escalation waited out the whole burst of passed deadlines). Unlike Temporal,
   * which leaves such a task where it is in the backlog (engine/README.md, "How it differs").
   * The entry already in the backlog lane stays and is skipped when reached (the task started).
   */
  promoteWorkflowTask(exec: Execution): void {
    const wt = exec.wt;
    if (!exec.isOpen || !wt || wt.startedEventId !== undefined || wt.interactive || !personWaitsOn(exec)) return;
    this.enqueueWorkflowTask(exec, wt.sticky && !!exec.sticky);
  }

  /** True while a workflow timer fires (its task is a timer-caused one). */
  private firingTimer = false;
  /** Source of {@link Execution.lastTakenStamp}. */
  private takenStamps = 0;

  /** Hands the scheduled workflow task to a poller: appends WorkflowTaskStarted, builds the response. */
  private startWorkflowTask(exec: Execution, sid: number, sticky: boolean, poll: Msg): Msg | null {
    const wt = exec.wt;
    if (!exec.isOpen || !wt || wt.scheduledEventId !== sid || wt.startedEventId !== undefined) return null;
    if (sticky && !exec.sticky) return null;
    const now = this.now();
    this.deps.timers.cancel(wt.stickyTimer);
    // What the task is for (a run's start, its scheduled task) must be durable before a worker
    // acts on it: the poll's flush writes it, and WorkflowTaskStarted goes with it. Alone, the
    // started event is not written: it goes with the task's completion (or failure, timeout),
    // one store write less per task (issue 9). Lost in a crash, the task is simply scheduled
    // again, as Temporal does with a transient workflow task.
    const unsavedBefore = exec.unsaved.length > 0 || exec.created;
    const started = exec.append(
      'WorkflowTaskStarted',
      {
        scheduledEventId: sid,
        identity: poll.identity ?? '',
        requestId: randomUUID(),
        historySizeBytes: exec.historySizeBytes,
        suggestContinueAsNew: exec.historySizeBytes > 4 * 1024 * 1024 || exec.eventCount > 4000,
      },
      now,
    );
    wt.startedEventId = started.eventId;
    wt.startedTime = now;
    exec.taskEverStarted = true;
    exec.lastTakenStamp = ++this.takenStamps;
    const startedId = started.eventId;
    wt.timeoutTimer = this.deps.timers.schedule(now + this.workflowTaskTimeoutMs(exec), () => this.timeOutWorkflowTask(exec, sid, startedId));
    if (unsavedBefore) {
      this.markDirty(exec);
      this.flushSoon();
    }

    const messages: Msg[] = [];
    for (const u of exec.updates.values()) {
      if (u.stage !== 'admitted') continue;
      u.stage = 'sent';
      wt.sentUpdates.push(u.updateId);
      messages.push({
        id: `${u.updateId}/request`,
        protocolInstanceId: u.updateId,
        eventId: startedId - 1,
        body: packAny('temporal.api.update.v1.Request', u.request ?? {}),
      });
    }
    const queries: Msg = {};
    for (const q of wt.queries) queries[q.id] = q.query;
    const fromId = sticky ? exec.previousStartedEventId + 1 : 1;
    const res: Msg = {
      taskToken: encodeToken({ k: 'wt', ns: exec.namespace, wid: exec.workflowId, rid: exec.runId, sid, att: wt.attempt }),
      workflowExecution: { workflowId: exec.workflowId, runId: exec.runId },
      workflowType: { name: exec.workflowType },
      previousStartedEventId: exec.previousStartedEventId,
      startedEventId: startedId,
      attempt: wt.attempt,
      workflowExecutionTaskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      scheduledTime: msToTimestamp(wt.scheduledTime),
      startedTime: msToTimestamp(now),
      queries: wt.queries.length > 0 ? queries : undefined,
      messages,
    };
    this.taskHistory(exec, fromId, startedId, res);
    return res;
  }

  /** Resolves a workflow-task token to its run and in-flight task, or NOT_FOUND. */
  runningWorkflowTask(token: TaskToken): { exec: Execution; wt: NonNullable<Execution['wt']> } {
    if (token.k !== 'wt') throw invalidArgument('not a workflow task token');
    const exec = this.findRun(token.ns, token.wid, token.rid);
    const wt = exec?.wt;
    if (!exec || !exec.isOpen || !wt || wt.scheduledEventId !== token.sid || wt.attempt !== token.att || wt.startedEventId === undefined) {
      throw notFound('Workflow task not found.');
    }
    return { exec, wt };
  }

  /**
   * Ends the in-flight workflow task without completing it (failure, timeout): updates and
   * queries go back to waiting, buffered events are written, and a new attempt is scheduled.
   */
  abandonWorkflowTask(exec: Execution, eventName: 'WorkflowTaskFailed' | 'WorkflowTaskTimedOut', attrs: Msg): void {
    const wt = exec.wt!;
    this.deps.timers.cancel(wt.timeoutTimer);
    this.deps.timers.cancel(wt.stickyTimer);
    exec.append(eventName, attrs, this.now());
    exec.wt = undefined;
    exec.wtAttempt++;
    for (const id of wt.sentUpdates) {
      const u = exec.updates.get(id);
      if (u && u.stage === 'sent') u.stage = 'admitted';
    }
    exec.waitingQueries.unshift(...wt.queries);
    exec.flushBuffered();
    // The worker may have lost the run from its cache: send full history next time.
    exec.sticky = undefined;
    this.markDirty(exec);
    this.scheduleWorkflowTask(exec);
  }

  private timeOutWorkflowTask(exec: Execution, sid: number, startedId: number): void {
    if (!exec.isOpen || exec.wt?.scheduledEventId !== sid || exec.wt.startedEventId !== startedId) return;
    this.abandonWorkflowTask(exec, 'WorkflowTaskTimedOut', { scheduledEventId: sid, startedEventId: startedId, timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' });
    this.flushSoon();
  }

  /** After a workflow task completed: route waiting queries to a new task or to legacy query tasks. */
  routeWaitingQueries(exec: Execution): void {
    if (exec.wt && exec.wt.startedEventId === undefined) {
      exec.wt.queries.push(...exec.waitingQueries);
      exec.waitingQueries = [];
      this.promoteWorkflowTask(exec);
      return;
    }
    if (exec.wtInFlight) return;
    const waiting = exec.waitingQueries;
    exec.waitingQueries = [];
    for (const q of waiting) this.sendLegacyQuery(exec, q);
  }

  // ---------------------------------------------------------------- queries

  sendLegacyQuery(exec: Execution, q: PendingQuery): void {
    exec.own('legacyQueries').set(q.id, q);
    const dispatch = (poll: Msg, sticky: boolean): Msg | null => {
      if (!exec.legacyQueries.has(q.id) || (q as { taken?: boolean }).taken) return null;
      (q as { taken?: boolean }).taken = true;
      exec.lastTakenStamp = ++this.takenStamps;
      const fromId = sticky ? exec.previousStartedEventId + 1 : 1;
      void poll;
      const res: Msg = {
        taskToken: encodeToken({ k: 'q', ns: exec.namespace, wid: exec.workflowId, rid: exec.runId, qid: q.id }),
        workflowExecution: { workflowId: exec.workflowId, runId: exec.runId },
        workflowType: { name: exec.workflowType },
        previousStartedEventId: exec.previousStartedEventId,
        // 0 as in Temporal: the worker then treats it as query-only and buffers every concurrent
        // one (a non-zero id makes it a history task, and each replaces the one buffered before).
        startedEventId: 0,
        query: q.query,
        workflowExecutionTaskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
        attempt: 1,
        scheduledTime: msToTimestamp(this.now()),
        startedTime: msToTimestamp(this.now()),
      };
      this.taskHistory(exec, fromId, exec.eventCount, res);
      return res;
    };
    const sticky = exec.sticky;
    // A query task never waits behind the backlog: Temporal's matcher dispatches it through its
    // own path (OfferQuery → queryTaskC, temporalio/temporal service/matching/matcher.go).
    if (sticky && exec.isOpen) {
      this.deps.matching.add(exec.namespace, 'workflow', sticky.queueName, { dispatch: (p) => dispatch(p, true) }, 'interactive');
      this.deps.timers.schedule(this.now() + sticky.scheduleToStartMs, () => {
        if (exec.legacyQueries.has(q.id) && !(q as { taken?: boolean }).taken) {
          this.deps.matching.add(exec.namespace, 'workflow', exec.taskQueue, { dispatch: (p) => dispatch(p, false) }, 'interactive');
        }
      });
    } else {
      this.deps.matching.add(exec.namespace, 'workflow', exec.taskQueue, { dispatch: (p) => dispatch(p, false) }, 'interactive');
    }
  }

  // ---------------------------------------------------------------- updates

  /** Moves an update to a stage and wakes callers waiting for it. */
  setUpdateStage(exec: Execution, u: UpdateState, stage: UpdateStage): void {
    u.stage = stage;
    for (const w of [...u.waiters]) if (STAGE_ORDER[stage] >= STAGE_ORDER[w.stage]) w.resolve();
    // A rejected update leaves no trace: the same id may be sent again.
    if (stage === 'completed' && u.acceptedEventId === undefined) exec.updates.delete(u.updateId);
  }

  // ---------------------------------------------------------------- signals, cancel, terminate

  terminateRun(exec: Execution, reason: string, details: Msg | undefined, identity: string): void {
    const now = this.now();
    if (exec.wtInFlight) {
      const wt = exec.wt!;
      exec.append('WorkflowTaskFailed', { scheduledEventId: wt.scheduledEventId, startedEventId: wt.startedEventId, cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND', identity }, now);
    }
    exec.flushBuffered();
    exec.append('WorkflowExecutionTerminated', { reason, details, identity }, now);
    this.closeRun(exec, STATUS.terminated);
  }

  private timeOutRun(exec: Execution): void {
    if (!exec.isOpen) return;
    exec.runTimer = undefined;
    const now = this.now();
    if (exec.wtInFlight) {
      const wt = exec.wt!;
      exec.append('WorkflowTaskFailed', { scheduledEventId: wt.scheduledEventId, startedEventId: wt.startedEventId, cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND' }, now);
    }
    exec.flushBuffered();
    exec.append('WorkflowExecutionTimedOut', { retryState: 'RETRY_STATE_TIMEOUT' }, now);
    this.closeRun(exec, STATUS.timedOut);
    this.flushSoon();
  }

  /** Marks a run closed and releases everything pending on it. The close event is already written. */
  closeRun(exec: Execution, status: string): void {
    exec.status = status;
    exec.closeTime = this.now();
    const t = this.deps.timers;
    if (exec.wt) {
      t.cancel(exec.wt.timeoutTimer);
      t.cancel(exec.wt.stickyTimer);
      exec.waitingQueries.unshift(...exec.wt.queries);
      exec.wt = undefined;
    }
    for (const timer of exec.timers.values()) t.cancel(timer.handle);
    exec.timers.clear();
    for (const act of exec.activities.values()) clearActivityTimers(this, act);
    exec.activities.clear();
    t.cancel(exec.runTimer);
    t.cancel(exec.startBackoffTimer);
    exec.startBackoffTimer = undefined;
    for (const u of [...exec.updates.values()]) {
      if (u.stage === 'completed') continue;
      u.outcome = { failure: { message: 'Workflow Update failed because the Workflow completed before the Update completed.', source: 'Server', applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true } } };
      if (u.acceptedEventId === undefined) u.acceptedEventId = 0;
      this.setUpdateStage(exec, u, 'completed');
    }
    // Queries asked while the last task ran are answered from the closed history.
    const waiting = exec.waitingQueries;
    exec.waitingQueries = [];
    for (const q of waiting) this.sendLegacyQuery(exec, q);
    this.markDirty(exec);
    this.onRunClosed(exec);
  }

  // ---------------------------------------------------------------- timers

  /** Arms a workflow timer; `dueAt` (engine time) is given when re-arming after recovery. */
  startTimer(exec: Execution, timerId: string, startedEventId: number, fireAfterMs: number, dueAt?: number): void {
    const due = dueAt ?? this.now() + fireAfterMs;
    const handle = this.deps.timers.schedule(due, () => this.fireTimer(exec, timerId, startedEventId));
    exec.timers.set(timerId, { timerId, startedEventId, due, handle });
  }

  private fireTimer(exec: Execution, timerId: string, startedEventId: number): void {
    const timer = exec.timers.get(timerId);
    if (!exec.isOpen || !timer || timer.startedEventId !== startedEventId) return;
    exec.timers.delete(timerId);
    exec.addExternal('TimerFired', { timerId, startedEventId }, this.now());
    this.markDirty(exec);
    this.firingTimer = true;
    try {
      this.scheduleWorkflowTask(exec);
    } finally {
      this.firingTimer = false;
    }
    this.flushSoon();
  }

  // ---------------------------------------------------------------- client reads

  /**
   * Waits until the run has events after `afterEventId` or closes, or `waitMs` passes.
   * Used by the history long poll.
   */
  waitForEvents(exec: Execution, predicate: () => boolean, waitMs: number): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), Math.max(0, waitMs));
      const check = () => {
        if (predicate()) finish();
        else exec.historyWaiters.push(check);
      };
      const finish = () => {
        clearTimeout(timer);
        exec.historyWaiters = exec.historyWaiters.filter((w) => w !== check);
        resolve();
      };
      exec.historyWaiters.push(check);
    });
  }

  /** The close event of a closed run. */
  closeEvent(exec: Execution): Msg | undefined {
    return exec.isOpen ? undefined : exec.lastEvent;
  }

  /** Guards against workflow-level operations on a closed run (FAILED_PRECONDITION-free variant). */
  assertOpen(exec: Execution): void {
    if (!exec.isOpen) throw failedPrecondition('workflow execution already completed');
  }

  /** Attributes of the last event, for callers that only need the close payload. */
  lastEventAttrs(exec: Execution): Msg {
    return attrsOf(exec.lastEvent ?? {});
  }
}

/**
 * True when a person waits on the run's next workflow task: a query rides on it, or an update is
 * not completed yet (an action's answer waits for its completion, possibly a task or two later).
 */
function personWaitsOn(exec: Execution): boolean {
  if (exec.wt && exec.wt.queries.length > 0) return true;
  for (const u of exec.updates.values()) if (u.stage !== 'completed') return true;
  return false;
}
