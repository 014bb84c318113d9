import { encodeHistoryEvent, msToTimestamp, type Msg } from '../proto';

/** Pending query waiting for an answer from a worker. */
export interface PendingQuery {
  id: string;
  query: Msg;
  resolve(result: Msg): void;
  reject(err: Error): void;
}

/** The run's current workflow task (at most one). */
export interface WorkflowTaskState {
  scheduledEventId: number;
  startedEventId?: number;
  attempt: number;
  queueName: string;
  sticky: boolean;
  scheduledTime: number;
  startedTime?: number;
  timeoutTimer?: number;
  stickyTimer?: number;
  /** Queries delivered with this task (answered in the completion). */
  queries: PendingQuery[];
  /** Update ids whose request messages went out with this task. */
  sentUpdates: string[];
  /** Queued in matching's interactive lane (a person waits on it): not promoted twice. */
  interactive?: boolean;
}

export interface TimerState {
  timerId: string;
  startedEventId: number;
  due: number;
  handle: number;
}

export type ActivityPhase = 'scheduled' | 'started' | 'backoff';

export interface ActivityState {
  scheduledEventId: number;
  activityId: string;
  /** Scheduled-event attributes with every timeout and the retry policy filled in. */
  attrs: Msg;
  attempt: number;
  phase: ActivityPhase;
  scheduledTime: number;
  currentAttemptScheduledTime: number;
  startedTime?: number;
  startedIdentity?: string;
  startedRequestId?: string;
  lastFailure?: Msg;
  heartbeatDetails?: Msg;
  lastHeartbeatTime?: number;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  finalRetryState?: string;
  timers: { scheduleToClose?: number; scheduleToStart?: number; startToClose?: number; heartbeat?: number; retry?: number };
}

export type UpdateStage = 'admitted' | 'sent' | 'accepted' | 'completed';

export interface UpdateWaiter {
  stage: UpdateStage;
  resolve(): void;
}

export interface UpdateState {
  updateId: string;
  /** The request, until the update is accepted (its acceptance event holds it from then on). */
  request?: Msg;
  stage: UpdateStage;
  acceptedEventId?: number;
  /** Id of the `WorkflowExecutionUpdateCompleted` event, where the outcome is read once paged out. */
  completedEventId?: number;
  /** The outcome while resident (dropped once durable: see RunCache.updateOutcome). */
  outcome?: Msg;
  /** Set at the first page-out after the completion became durable; the next one drops the outcome. */
  outcomeDurable?: boolean;
  waiters: UpdateWaiter[];
}

export interface ChildState {
  initiatedEventId: number;
  workflowId: string;
  runId?: string;
  namespace: string;
  workflowType: string;
  startedEventId?: number;
  parentClosePolicy: string;
}

/** Values of temporal.api.enums.v1.WorkflowExecutionStatus the engine uses. */
export const STATUS = {
  running: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
  completed: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  failed: 'WORKFLOW_EXECUTION_STATUS_FAILED',
  canceled: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
  terminated: 'WORKFLOW_EXECUTION_STATUS_TERMINATED',
  continuedAsNew: 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
  timedOut: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
} as const;

/** `WorkflowTaskScheduled` -> `EVENT_TYPE_WORKFLOW_TASK_SCHEDULED`. */
export function eventTypeOf(name: string): string {
  return 'EVENT_TYPE_' + name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** `WorkflowTaskScheduled` -> `workflowTaskScheduledEventAttributes`. */
export function attrKeyOf(name: string): string {
  return name[0].toLowerCase() + name.slice(1) + 'EventAttributes';
}

/** Attributes of an event whatever its type. */
export function attrsOf(event: Msg): Msg {
  for (const k of Object.keys(event)) if (k.endsWith('EventAttributes')) return event[k];
  return {};
}

/** The empty map runs share until their first entry: writing to it is a bug, so it refuses. */
class NoEntries extends Map<never, never> {
  override set(): this {
    throw new Error('engine bug: entry written to the shared empty map (use Execution.own)');
  }
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const NO_ENTRIES: Map<any, any> = new NoEntries();

/**
 * The start attributes a run keeps in memory: the payloads only the worker reads (input, last
 * completion result, continued failure) stay in the first event, in the store; the input stays
 * in memory only when a retry or a cron run will start again with it.
 */
export function leanStartAttrs(attrs: Msg): Msg {
  const keepInput = !!(attrs.retryPolicy || attrs.cronSchedule);
  if ((keepInput || attrs.input === undefined) && attrs.lastCompletionResult === undefined && attrs.continuedFailure === undefined) return attrs;
  const { input, lastCompletionResult: _r, continuedFailure: _f, ...rest } = attrs;
  return keepInput ? { ...rest, input } : rest;
}

/**
 * One workflow run: its event log (the source of truth) and the mutable state derived from it.
 * Only the history service mutates it, and only through {@link Execution.append}.
 */
export class Execution {
  /** Attributes of the start event (see {@link leanStartAttrs}). */
  readonly startedAttrs: Msg;
  /**
   * The resident tail of the event log: events `tailStart..eventCount`. Older events are paged
   * out once durable (the store has them; see RunCache.readHistory), as Temporal's
   * mutable state holds no history: only what a sticky task needs (events after the last
   * started task) and the last event stay.
   */
  events: Msg[] = [];
  /** Id of `events[0]`. */
  tailStart = 1;
  /** Number of events in the whole log (resident or not). */
  eventCount = 0;
  /** Id of the last event the store has acknowledged. */
  savedEventId = 0;
  /** Time of the last event (kept when the event itself is paged out). */
  lastEventTime = 0;
  /** True once a workflow task was handed to a worker (workflow code has run). */
  taskEverStarted = false;
  /**
   * When a worker last took a task of this run (a stamp that only grows, 0: never since this
   * engine started): the higher, the likelier the worker still has the run in its cache.
   */
  lastTakenStamp = 0;
  /** True once a workflow task was scheduled (a recovered run without one waits out its start backoff). */
  taskEverScheduled = false;
  /** User metadata of the start request (first event), for DescribeWorkflowExecution. */
  startUserMetadata?: Msg;
  /** Events received while a workflow task runs; written after its completion. */
  buffered: Array<{ name: string; attrs: Msg; time: number }> = [];
  /** Events appended since the last store write. */
  unsaved: Msg[] = [];
  status: string = STATUS.running;
  closeTime?: number;
  historySizeBytes = 0;
  wt?: WorkflowTaskState;
  previousStartedEventId = 0;
  timers = new Map<string, TimerState>();
  // Most runs have no pending activity, update, child or legacy query at a time: they share one
  // empty map until their first entry (a map's table costs ~200 bytes; 100 000 open runs...).
  activities: Map<number, ActivityState> = NO_ENTRIES;
  updates: Map<string, UpdateState> = NO_ENTRIES;
  children: Map<number, ChildState> = NO_ENTRIES;
  /** Queries waiting for the in-flight workflow task to finish. */
  waitingQueries: PendingQuery[] = [];
  /** Legacy query tasks handed to workers, by query id. */
  legacyQueries: Map<string, PendingQuery> = NO_ENTRIES;
  historyWaiters: Array<() => void> = [];
  requestIds = new Set<string>();
  /** Build ids of the workers that completed tasks (the `BuildIds` system search attribute). */
  binaryChecksums: string[] = [];
  memo: Msg = {};
  searchAttributes: Msg = {};
  sticky?: { queueName: string; scheduleToStartMs: number };
  /** Run id of the run this one continued as, when closed by continue-as-new. */
  newExecutionRunId?: string;
  runTimer?: number;
  executionTimer?: number;
  cancelRequested = false;
  startRequestId = '';
  /** Set by a command that wrote an event the workflow must see (e.g. an activity canceled at once). */
  needsWorkflowTask = false;
  /** Engine time when the whole execution (all runs) times out; 0 = never. */
  executionDeadline = 0;
  startBackoffTimer?: number;
  /** Attempt number of the next workflow task (grows with failures and timeouts). */
  wtAttempt = 1;
  /** Set while the run was created but not yet written. */
  created = false;
  taskIdSeq = 0;

  constructor(
    readonly runKey: string,
    readonly namespace: string,
    readonly workflowId: string,
    readonly runId: string,
    readonly workflowType: string,
    readonly taskQueue: string,
    readonly startTime: number,
    startedAttrs: Msg,
    readonly firstExecutionRunId: string,
    readonly executionTime: number,
  ) {
    this.startedAttrs = leanStartAttrs(startedAttrs);
    this.memo = startedAttrs.memo ?? {};
    this.searchAttributes = startedAttrs.searchAttributes ?? {};
  }

  /** The run's own map for `field` (made at its first entry; until then it shares {@link NO_ENTRIES}). */
  own<F extends 'activities' | 'updates' | 'children' | 'legacyQueries'>(field: F): this[F] {
    if (this[field] === NO_ENTRIES) (this as { [K in F]: unknown })[field] = new Map();
    return this[field];
  }

  get isOpen(): boolean {
    return this.status === STATUS.running;
  }

  get nextEventId(): number {
    return this.eventCount + 1;
  }

  get lastEventId(): number {
    return this.eventCount;
  }

  /** The last event of the log (resident while closed; an open run's may be paged out: {@link pageOutEvents}). */
  get lastEvent(): Msg | undefined {
    return this.events[this.events.length - 1];
  }

  /** Resident events from `fromId` on, or undefined when some of them are paged out. */
  residentFrom(fromId: number): Msg[] | undefined {
    if (fromId < this.tailStart) return undefined;
    return this.events.slice(fromId - this.tailStart);
  }

  /**
   * Pages out durable events before `keepFromId` (never the last event, never one the store
   * has not acknowledged).
   */
  trimBefore(keepFromId: number): void {
    this.dropBefore(Math.min(keepFromId, this.eventCount));
  }

  /**
   * Pages out every durable event of an open run, the last one included, as a run rebuilt at
   * start-up has none resident (the last event of a run created live was a workflow task's
   * local-activity marker, whose payloads kept that task's whole completion request: ≈ 8–18 KiB
   * per open run, issue 9). A closed run keeps its last event (its result): {@link trimBefore}.
   */
  pageOutEvents(): void {
    if (this.isOpen) this.dropBefore(this.eventCount + 1);
    else this.trimBefore(this.eventCount);
  }

  /** Pages out durable events before `keepFromId` (never one the store has not acknowledged). */
  private dropBefore(keepFromId: number): void {
    const upTo = Math.min(keepFromId, this.savedEventId + 1);
    const drop = upTo - this.tailStart;
    if (drop <= 0) return;
    this.events = this.events.slice(drop);
    this.tailStart = upTo;
  }

  /** True when a workflow task has been handed to a worker and not answered yet. */
  get wtInFlight(): boolean {
    return !!this.wt && this.wt.startedEventId !== undefined;
  }

  /** Appends an event now (ids are contiguous), with the user metadata of its command; returns it. */
  append(name: string, attrs: Msg, time: number, userMetadata?: Msg): Msg {
    const event: Msg = {
      eventId: this.nextEventId,
      eventTime: msToTimestamp(time),
      eventType: eventTypeOf(name),
      taskId: ++this.taskIdSeq,
      [attrKeyOf(name)]: attrs,
    };
    // Summary/details a command or start request carried (shown by UIs, read back by SDKs).
    if (userMetadata) event.userMetadata = userMetadata;
    // Encoding here both measures the history size and catches a malformed event at once.
    // The bytes are kept for the store (engine/proto.ts encodeHistory): one encode per event.
    this.historySizeBytes += encodeHistoryEvent(event).length;
    this.events.push(event);
    this.eventCount++;
    this.lastEventTime = time;
    this.unsaved.push(event);
    // The parent's close notification names this id after the history is paged out.
    if (name === 'ChildWorkflowExecutionStarted') {
      const child = this.children.get(Number(attrs.initiatedEventId));
      if (child) child.startedEventId = event.eventId;
    }
    return event;
  }

  /**
   * Adds an event that comes from outside the workflow (signal, timer fired, activity result...):
   * buffered while a workflow task is in flight, else appended.
   */
  addExternal(name: string, attrs: Msg, time: number): void {
    if (this.wtInFlight) this.buffered.push({ name, attrs, time });
    else this.append(name, attrs, time);
  }

  /** Writes buffered events, fixing `startedEventId` references to started events written here. */
  flushBuffered(): boolean {
    const had = this.buffered.length > 0;
    const startedIds = new Map<number, number>();
    for (const b of this.buffered) {
      const attrs = { ...b.attrs };
      if (attrs.startedEventId === -1) attrs.startedEventId = startedIds.get(attrs.scheduledEventId) ?? 0;
      const ev = this.append(b.name, attrs, b.time);
      if (b.name === 'ActivityTaskStarted') startedIds.set(attrs.scheduledEventId, ev.eventId);
    }
    this.buffered = [];
    return had;
  }

  takeUnsaved(): Msg[] {
    const out = this.unsaved;
    this.unsaved = [];
    return out;
  }

  /**
   * Custom search attributes plus the system one the server derives: `BuildIds`, as Temporal keeps
   * it for unversioned workers (`unversioned`, then `unversioned:<build id>` per build id seen).
   */
  allSearchAttributes(): Msg {
    if (this.binaryChecksums.length === 0) return this.searchAttributes;
    const buildIds = {
      metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('KeywordList') },
      data: Buffer.from(JSON.stringify(['unversioned', ...this.binaryChecksums.map((id) => `unversioned:${id}`)])),
    };
    return { ...this.searchAttributes, indexedFields: { ...(this.searchAttributes?.indexedFields ?? {}), BuildIds: buildIds } };
  }

  /** Records the build id of a worker that completed a task (`share` keeps one copy for all runs). */
  noteBuildId(attrs: Msg, share: (id: string) => string = (id) => id): void {
    const id: string | undefined = attrs.binaryChecksum || attrs.workerVersion?.buildId;
    if (id && !this.binaryChecksums.includes(id)) this.binaryChecksums.push(share(id));
  }

  notifyHistoryWaiters(): void {
    const waiters = this.historyWaiters;
    this.historyWaiters = [];
    for (const w of waiters) w();
  }
}
