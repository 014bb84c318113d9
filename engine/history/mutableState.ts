import type { RunStart, RunStateSnapshot, StoredRunHead } from '../persistence/store';
import { durationToMs, timestampToMs, type Msg } from '../proto';
import { Execution, STATUS, type ActivityState } from './execution';

/**
 * The persisted mutable state of a run, as Temporal keeps its `executions` row beside the history:
 * written with every acknowledged change of the run (in the same store call as its events), so a
 * restart rebuilds an open run from this snapshot and the run's first event instead of replaying
 * its whole history. History stays the source of truth: a snapshot that does not match the stored
 * last event id (or is missing, e.g. written by an older engine) makes recovery replay the history.
 *
 * What is not here is not needed after a restart: sticky queues (forgotten, as documented),
 * admitted updates (memory only, as in Temporal), queries and waiters (their callers are gone),
 * timer handles (re-armed), the history tail (the first task after a restart carries full history).
 */
export interface MutableStateSnapshot {
  /** Number of events in the log; must equal the store's last event id. */
  eventCount: number;
  historySizeBytes: number;
  taskIdSeq: number;
  lastEventTime: number;
  previousStartedEventId: number;
  taskEverStarted: boolean;
  taskEverScheduled: boolean;
  cancelRequested: boolean;
  wt?: { scheduledEventId: number; startedEventId?: number; attempt: number; scheduledTime: number; startedTime?: number };
  /** `[timerId, startedEventId, due]`. */
  timers: Array<[string, number, number]>;
  /** Pending activities (attempt, last failure and heartbeat details are in {@link RunStateSnapshot.activities}). */
  activities: Array<{ scheduledEventId: number; activityId: string; attrs: Msg; scheduledTime: number; cancelRequested: boolean; cancelRequestedEventId?: number }>;
  /** Accepted updates: `[updateId, acceptedEventId, completedEventId (0 = not completed)]`. */
  updates: Array<[string, number, number]>;
  children: Array<{ initiatedEventId: number; workflowId: string; runId?: string; namespace: string; workflowType: string; startedEventId?: number; parentClosePolicy: string }>;
  binaryChecksums: string[];
  /** Memo and search attributes when changed since the start (else the start event's). */
  memo?: Msg;
  searchAttributes?: Msg;
}

/** What a restart needs beyond the history: the snapshot written with every store call of a run. */
export function runStateOf(exec: Execution): RunStateSnapshot {
  return {
    buffered: exec.buffered.map((b) => ({ ...b })),
    activities: [...exec.activities.values()].map((a) => ({ scheduledEventId: a.scheduledEventId, attempt: a.attempt, lastFailure: a.lastFailure, heartbeatDetails: a.heartbeatDetails })),
    wtAttempt: exec.wtAttempt,
    requestIds: [...exec.requestIds].slice(-100),
    mutable: exec.isOpen ? mutableStateOf(exec) : undefined,
  };
}

function mutableStateOf(exec: Execution): MutableStateSnapshot {
  const wt = exec.wt;
  const updates: Array<[string, number, number]> = [];
  for (const u of exec.updates.values()) if (u.acceptedEventId !== undefined) updates.push([u.updateId, u.acceptedEventId, u.completedEventId ?? 0]);
  const startAttrs = exec.startedAttrs;
  return {
    eventCount: exec.eventCount,
    historySizeBytes: exec.historySizeBytes,
    taskIdSeq: exec.taskIdSeq,
    lastEventTime: exec.lastEventTime,
    previousStartedEventId: exec.previousStartedEventId,
    taskEverStarted: exec.taskEverStarted,
    taskEverScheduled: exec.taskEverScheduled,
    cancelRequested: exec.cancelRequested,
    wt: wt ? { scheduledEventId: wt.scheduledEventId, startedEventId: wt.startedEventId, attempt: wt.attempt, scheduledTime: wt.scheduledTime, startedTime: wt.startedTime } : undefined,
    timers: [...exec.timers.values()].map((t) => [t.timerId, t.startedEventId, t.due]),
    activities: [...exec.activities.values()].map((a) => ({
      scheduledEventId: a.scheduledEventId,
      activityId: a.activityId,
      attrs: a.attrs,
      scheduledTime: a.scheduledTime,
      cancelRequested: a.cancelRequested,
      cancelRequestedEventId: a.cancelRequestedEventId,
    })),
    updates,
    children: [...exec.children.values()].map((c) => ({ ...c })),
    binaryChecksums: [...exec.binaryChecksums],
    memo: exec.memo !== startAttrs.memo ? exec.memo : undefined,
    searchAttributes: exec.searchAttributes !== startAttrs.searchAttributes ? exec.searchAttributes : undefined,
  };
}

/** What start-up needs of the run's start event (written once, with the run: {@link RunStart}). */
export function startOf(exec: Execution): RunStart {
  return { time: exec.startTime, attrs: exec.startedAttrs, userMetadata: exec.startUserMetadata };
}

/** The {@link RunStart} of a run stored without one (by an older engine): from its first event. */
function startFromEvent(first: Msg | undefined): RunStart | undefined {
  const attrs = first?.workflowExecutionStartedEventAttributes;
  if (!attrs || Number(first!.eventId) !== 1) return undefined;
  // Copies: decoded bytes are views into the stored row, which must not stay alive with the run.
  const { input: _input, ...lean } = attrs;
  return {
    time: timestampToMs(first!.eventTime) ?? 0,
    attrs: detached(attrs.retryPolicy || attrs.cronSchedule ? attrs : lean) as Msg,
    userMetadata: first!.userMetadata ? (detached(first!.userMetadata) as Msg) : undefined,
  };
}

/**
 * Values that are the same in many runs (names, the worker's build id and sticky queue, search
 * attributes and memo written by the same code), shared by the runs in memory instead of one copy
 * each: at 100 000 open work orders they were about a quarter of the engine's memory per run
 * (issue 9). The history service keeps one for runs rebuilt at start-up and runs created live
 * alike (`HistoryService.shared`).
 *
 * What it keeps is a compact copy: bytes decoded from a gRPC request are views into the whole
 * request (a workflow task's completion, local-activity results included, is tens of KiB), so
 * keeping the view kept the request; the first instance of a value is stored with bytes of its
 * own, and a value too large or deep to share is copied all the same ({@link detached}).
 * Shared values are never changed in place: the engine replaces a run's memo or search
 * attributes with a new object when they change. Bounded: each table starts over beyond
 * `limit` entries (values already shared stay shared by the runs that hold them).
 */
export class SharedValues {
  private readonly strings = new Map<string, string>();
  private readonly objects = new Map<string, Msg>();

  constructor(private readonly limit = 10_000) {}

  /** The first instance of an equal string (a flat copy: decoded strings can be trees of pieces). */
  string<T extends string | undefined>(value: T): T {
    if (value === undefined) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    if (this.strings.size >= this.limit) this.strings.clear();
    const flat = flatString(value);
    this.strings.set(flat, flat);
    return flat as T;
  }

  /** The first instance of an equal small value (plain data and bytes, compared by content), as a compact copy. */
  object<T extends Msg | undefined>(value: T): T {
    if (value === undefined || value === null || typeof value !== 'object') return value;
    const key = contentKey(value, 0);
    // Large or deep values are rarely shared and costly to compare: a compact copy of their own.
    if (key === undefined) return detached(value) as T;
    const known = this.objects.get(key);
    if (known !== undefined) return known as T;
    if (this.objects.size >= this.limit) this.objects.clear();
    const copy = detached(value) as Msg;
    this.objects.set(key, copy);
    return copy as T;
  }

  /** A run's start attributes with their shared parts shared (a new top-level object). */
  startAttrs(attrs: Msg, runId: string): Msg {
    const out: Msg = { ...attrs };
    for (const k of SHARED_START_OBJECTS) if (out[k] !== undefined) out[k] = this.object(out[k]);
    for (const k of SHARED_START_STRINGS) if (typeof out[k] === 'string') out[k] = this.string(out[k]);
    // A first run's own id, three times over.
    for (const k of ['firstExecutionRunId', 'originalExecutionRunId']) if (out[k] === runId) out[k] = runId;
    return out;
  }

  /**
   * {@link startAttrs} for a run created live: what else it keeps of its start request (the input
   * of a retried or cron run, parent and root executions, the retry policy) is its own, but as
   * copies that do not keep the request alive.
   */
  liveStartAttrs(attrs: Msg, runId: string): Msg {
    const out = this.startAttrs(attrs, runId);
    for (const k of Object.keys(out)) if (!SHARED_START.has(k) && out[k] !== null && typeof out[k] === 'object') out[k] = detached(out[k]);
    return out;
  }
}

/** A flat copy of a string (a decoded or concatenated string can be a tree of small pieces). */
function flatString(value: string): string {
  // Parsing makes a new flat string, lone surrogates included (only first instances get here).
  return JSON.parse(JSON.stringify(value)) as string;
}

/**
 * A string equal for values of equal content (bytes by their base64; an object's fields in any
 * order, as protobuf maps come: the SDK core writes a payload's metadata map in no fixed order),
 * or undefined when the value is too large or deep to be worth it. Cheaper than JSON.stringify,
 * which spells bytes out as a list of numbers.
 */
function contentKey(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? JSON.stringify(value) : String(value);
  if (depth > 8) return undefined;
  if (value instanceof Uint8Array) return value.length > 512 ? undefined : `b${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
  const array = Array.isArray(value);
  let key = array ? '[' : '{';
  for (const k of array ? Object.keys(value) : Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    const part = contentKey(v, depth + 1);
    if (part === undefined || key.length + part.length > 2048) return undefined;
    key += `${JSON.stringify(k)}:${part},`;
  }
  return `${key}}`;
}

const SHARED_START_OBJECTS = ['taskQueue', 'workflowType', 'header', 'workflowTaskTimeout', 'memo', 'searchAttributes'];
const SHARED_START_STRINGS = ['identity', 'cronSchedule', 'parentWorkflowNamespace'];
const SHARED_START = new Set([...SHARED_START_OBJECTS, ...SHARED_START_STRINGS]);

/**
 * An open run rebuilt from its start and its saved snapshot, or undefined when the snapshot
 * cannot be trusted (missing, or not written with the stored last event): then replay the history.
 * Start-up passes one `shared` for all runs (see {@link SharedValues}).
 */
export function restoreFromSnapshot(head: StoredRunHead, shared?: SharedValues): Execution | undefined {
  const { runKey, workflowId, runId } = head.run;
  const namespace = shared ? shared.string(head.run.namespace) : head.run.namespace;
  const state = head.state;
  const m = state?.mutable as MutableStateSnapshot | undefined;
  if (!m || m.eventCount !== head.lastEventId) return undefined;
  const start = head.run.start ?? startFromEvent(head.firstEvent);
  if (!start) return undefined;
  const s = shared ? shared.startAttrs(start.attrs, runId) : start.attrs;
  const startTime = start.time;
  const exec = new Execution(runKey, namespace, workflowId, runId, s.workflowType?.name ?? '', s.taskQueue?.name ?? '', startTime, s, s.firstExecutionRunId || runId, startTime + durationToMs(s.firstWorkflowTaskBackoff));
  exec.executionDeadline = timestampToMs(s.workflowExecutionExpirationTime) ?? 0;
  exec.startUserMetadata = start.userMetadata;
  exec.status = STATUS.running;
  exec.eventCount = m.eventCount;
  exec.savedEventId = m.eventCount;
  // Nothing resident: every older event is read from the store when a task or a reader needs it.
  exec.tailStart = m.eventCount + 1;
  exec.lastEventTime = m.lastEventTime;
  exec.historySizeBytes = m.historySizeBytes;
  exec.taskIdSeq = m.taskIdSeq;
  exec.previousStartedEventId = m.previousStartedEventId;
  exec.taskEverStarted = m.taskEverStarted;
  exec.taskEverScheduled = m.taskEverScheduled;
  exec.cancelRequested = m.cancelRequested;
  if (m.wt) exec.wt = { ...m.wt, queueName: exec.taskQueue, sticky: false, queries: [], sentUpdates: [] };
  for (const [timerId, startedEventId, due] of m.timers) exec.timers.set(timerId, { timerId, startedEventId, due, handle: 0 });
  const attempts = new Map<number, Msg>();
  for (const a of state?.activities ?? []) attempts.set(Number(a.scheduledEventId), a);
  for (const a of m.activities) {
    const saved = attempts.get(a.scheduledEventId);
    const act: ActivityState = {
      ...a,
      attempt: Number(saved?.attempt ?? 1),
      lastFailure: saved?.lastFailure,
      heartbeatDetails: saved?.heartbeatDetails,
      phase: 'scheduled',
      currentAttemptScheduledTime: a.scheduledTime,
      timers: {},
    };
    exec.own('activities').set(a.scheduledEventId, act);
  }
  for (const [updateId, acceptedEventId, completedEventId] of m.updates) {
    exec.own('updates').set(updateId, { updateId, stage: completedEventId ? 'completed' : 'accepted', acceptedEventId, completedEventId: completedEventId || undefined, waiters: [] });
  }
  for (const c of m.children) exec.own('children').set(c.initiatedEventId, { ...c });
  exec.binaryChecksums = shared ? m.binaryChecksums.map((c) => shared.string(c)) : [...m.binaryChecksums];
  if (m.memo) exec.memo = shared ? shared.object(m.memo) : m.memo;
  if (m.searchAttributes) exec.searchAttributes = shared ? shared.object(m.searchAttributes) : m.searchAttributes;
  exec.buffered = Array.isArray(state?.buffered) ? state!.buffered : [];
  if (state?.wtAttempt) exec.wtAttempt = Number(state.wtAttempt);
  for (const id of state?.requestIds ?? []) exec.requestIds.add(id);
  return exec;
}

/**
 * A deep copy in which every byte array owns exactly its memory (not a view into a request, nor
 * a slice of Node's shared 8 KiB allocation pool, which a small `Buffer.from` would be).
 */
export function detached(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const copy = Buffer.allocUnsafeSlow(value.length);
    copy.set(value);
    return copy;
  }
  if (Array.isArray(value)) return value.map(detached);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = detached(v);
    return out;
  }
  return value;
}
