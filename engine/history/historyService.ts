import { failedPrecondition } from '../errors';
import type { Matching } from '../matching/taskQueues';
import type { EngineStore, VisibilityRecord } from '../persistence/store';
import { durationToMs, type Msg } from '../proto';
import type { OffsetClock } from '../timers/clock';
import type { TimerQueue } from '../timers/timerQueue';
import { clearActivityTimers } from './activityTasks';
import { Execution, STATUS, UpdateStage, UpdateState, attrsOf } from './execution';
import { SharedValues } from './mutableState';
import { RunCache } from './runCache';
import { WriteBack } from './writeBack';
import { WorkflowTaskDispatch, scheduleWorkflowTask, sendLegacyQuery } from './workflowTasks';

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

export { DEFAULT_WT_TIMEOUT_MS, MAX_WT_TIMEOUT_MS } from './workflowTasks';
/** Update stages in order (sent counts as admitted: the worker has not answered yet). */
export const STAGE_ORDER: Record<UpdateStage, number> = { admitted: 1, sent: 1, accepted: 2, completed: 3 };

/**
 * History: the mutable state and event log of every run, and the only place events are appended.
 * Each public operation changes state synchronously, then awaits one store write per touched run
 * ({@link HistoryService.flush}) before the frontend answers. Its parts, as in Temporal's history
 * service: the runs in memory (runCache.ts), their write-back to the store (writeBack.ts),
 * workflow and query tasks (workflowTasks.ts), activity tasks (activityTasks.ts), a workflow
 * task's completion (workflowTaskCompletion.ts) and one module per API verb (api/). What stays
 * here is a run's own life: its run timeout and start backoff, its timers, updates' stages,
 * closing it, and what clients read.
 */
export class HistoryService {
  readonly cache: RunCache;
  readonly writes: WriteBack;
  /** Every run in memory, by run key (the cache's). */
  readonly runs: Map<string, Execution>;
  /** `namespace/workflowId` -> run key of the newest run (set by a start, see api/startWorkflow). */
  readonly current: Map<string, string>;
  /**
   * Values many runs hold equal (names, build ids, the sticky queue, start attributes, search
   * attributes and memo), one compact copy for all: runs rebuilt at start-up and runs created
   * live alike (issue 9: a run created live kept views into its gRPC requests instead).
   */
  readonly shared = new SharedValues();
  /** Workflow-task dispatch state (workflowTasks.ts). */
  readonly dispatch = new WorkflowTaskDispatch();
  /** Hooks for workflow-to-workflow effects (children, external signals), set by the engine. */
  onRunClosed: (exec: Execution) => void = () => undefined;

  constructor(readonly deps: HistoryDeps) {
    this.writes = new WriteBack({
      store: deps.store,
      onChange: deps.onChange,
      onStoreFailure: deps.onStoreFailure,
      visibilityRow: (exec) => this.visibilityRow(exec),
      onWritten: (exec) => this.cache.pageOut(exec),
    });
    this.cache = new RunCache(deps, this.writes);
    this.runs = this.cache.runs;
    this.current = this.cache.current;
  }

  now(): number {
    return this.deps.clock.now();
  }

  // ---------------------------------------------------------------- the runs in memory (runCache.ts)

  /** The run named by id (newest run when runId is empty), or NOT_FOUND. */
  getRun(namespace: string, workflowId: string, runId?: string): Execution {
    return this.cache.getRun(namespace, workflowId, runId);
  }

  /** The run named by id, or undefined (no error built: every new workflow id asks this). */
  findRun(namespace: string, workflowId: string, runId?: string): Execution | undefined {
    return this.cache.findRun(namespace, workflowId, runId);
  }

  /** Makes sure the named run is in memory (see {@link RunCache.ensureLoaded}). */
  ensureLoaded(namespace: string, workflowId: string, runId?: string): Promise<void> {
    return this.cache.ensureLoaded(namespace, workflowId, runId);
  }

  /** Events `fromId..toId` of a run, from memory and the store. */
  readHistory(exec: Execution, fromId: number, toId: number = exec.eventCount): Promise<Msg[]> {
    return this.cache.readHistory(exec, fromId, toId);
  }

  // ---------------------------------------------------------------- writing back (writeBack.ts)

  markDirty(exec: Execution): void {
    this.writes.markDirty(exec);
  }

  /** Writes every touched run to the store (one atomic append per run) and wakes waiters. */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  /** Resolves when every store write started so far has settled. */
  durable(): Promise<void> {
    return this.writes.durable();
  }

  /** Writes touched runs soon, once for everything touched in the same turn (timers, polls). */
  flushSoon(): void {
    this.writes.flushSoon();
  }

  // ---------------------------------------------------------------- visibility and idleness

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
      scheduleWorkflowTask(this, exec);
      this.flushSoon();
    });
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
    for (const q of waiting) sendLegacyQuery(this, exec, q);
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
    this.dispatch.firingTimer = true;
    try {
      scheduleWorkflowTask(this, exec);
    } finally {
      this.dispatch.firingTimer = false;
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
