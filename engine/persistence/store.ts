import type { Msg } from '../proto';

/**
 * Storage behind the engine. The event log of each run is the source of truth; everything else
 * the engine keeps in memory (pending timers, queued tasks, visibility rows) is derived from it.
 *
 * Contract for implementations (in-memory now, PostgreSQL next):
 * - Every acknowledged change of a run is ONE call to {@link EngineStore.appendEvents}: the new
 *   events plus the derived rows that change with them. Implementations must apply the call
 *   atomically (one transaction) and in call order per run; the engine awaits the returned
 *   promise before it answers the gRPC call that caused the change.
 * - Event ids are contiguous from 1 per run; `appendEvents` must reject (and the engine will
 *   surface INTERNAL) if `events[0].eventId` is not the stored last id + 1.
 * - Nothing else mutates stored state, so a store can be rebuilt by replaying `appendEvents`.
 */
export interface EngineStore {
  /** Saves (or replaces) a namespace record. */
  saveNamespace(ns: NamespaceRecord): Promise<void>;
  /** All namespaces, for start-up. */
  listNamespaces(): Promise<NamespaceRecord[]>;
  /** Creates a run with its first events (an error if the run key already exists). */
  createRun(run: RunRecord, events: Msg[], visibility: VisibilityRecord, runState?: RunStateSnapshot): Promise<void>;
  /** Appends events to a run and updates its derived rows in one atomic write. */
  appendEvents(runKey: string, events: Msg[], derived: DerivedUpdate): Promise<void>;
  /** The stored events of a run from `fromEventId` (1-based, inclusive). */
  readEvents(runKey: string, fromEventId?: number): Promise<Msg[]>;
  /** Every stored run (records only), for rebuilding engine state at start-up. */
  listRuns(): Promise<RunRecord[]>;
  /** The {@link RunStateSnapshot} saved with the run's last write, if any. */
  readRunState(runKey: string): Promise<Msg | undefined>;
  /**
   * Bulk read for start-up: every OPEN run (visibility status Running) with its events and
   * snapshot, in a few queries. Closed runs stay in the store until asked for ({@link loadRun}).
   */
  loadOpenRuns(): Promise<StoredRun[]>;
  /**
   * Start-up: every OPEN run's head (record, last event id, first event, snapshot), in pages
   * (no history: the engine rebuilds a run from its snapshot and replays only when it must).
   */
  openRunHeads(): AsyncIterable<StoredRunHead[]>;
  /** One run with its events and snapshot (a closed run read back on demand). */
  loadRun(runKey: string): Promise<StoredRun | undefined>;
  /** Key of the newest run of a workflow id (by creation), if any. */
  latestRunKey(namespace: string, workflowId: string): Promise<string | undefined>;
  /**
   * Latest event time of any stored run (epoch ms), so a manual or time-skipping clock does not
   * restart behind time its closed runs already reached. Optional.
   */
  latestEventTime?(): Promise<number | undefined>;
  /** Visibility rows of a namespace (the visibility module filters them). */
  listVisibility(namespace: string): Promise<VisibilityRecord[]>;
  /** Visibility rows of the closed runs of a namespace (open ones are served from memory). */
  listClosedVisibility(namespace: string): Promise<VisibilityRecord[]>;
  /**
   * Namespace retention: deletes every run of the namespace that closed before `closedBefore`
   * (epoch ms) with its history and visibility row; returns the run keys deleted.
   */
  deleteClosedRuns(namespace: string, closedBefore: number): Promise<string[]>;
}

export interface NamespaceRecord {
  name: string;
  id: string;
  description?: string;
  ownerEmail?: string;
  retentionDays: number;
  data?: Record<string, string>;
  /** Custom search attributes registered in this namespace: name -> indexed value type. */
  searchAttributes: Record<string, string>;
}

/** A run as stored: its record, its whole history and its last run-state snapshot. */
export interface StoredRun {
  run: RunRecord;
  events: Msg[];
  state?: Msg;
  /**
   * Encoded size of the history when the store knows it (the sum of its stored blobs, which is
   * how Temporal counts history size), so start-up need not re-encode every event.
   */
  historySizeBytes?: number;
}

/** The identity of a run; `runKey` is `namespace/workflowId/runId`. */
export interface RunRecord {
  runKey: string;
  namespace: string;
  workflowId: string;
  runId: string;
  /**
   * What start-up needs of the start event, written once with the run: its time, its attributes
   * without the payloads only the worker reads (`Execution.startedAttrs`) and the user metadata.
   * Start-up reads this instead of the first history row (whose input may be large).
   */
  start?: RunStart;
}

export interface RunStart {
  time: number;
  attrs: Msg;
  userMetadata?: Msg;
}

/** One row of the list/count view of a run. */
export interface VisibilityRecord {
  runKey: string;
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: string;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  historyLength: number;
  historySizeBytes: number;
  memo?: Msg;
  /** Search attributes as stored (`indexedFields` payloads). */
  searchAttributes?: Msg;
  parentWorkflowId?: string;
  parentRunId?: string;
  rootWorkflowId?: string;
  rootRunId?: string;
}

/** Derived rows that change together with an append. */
export interface DerivedUpdate {
  visibility?: VisibilityRecord;
  /**
   * What a restart needs that history does not hold (see {@link RunStateSnapshot}); replaces
   * the previous snapshot of the run. Stores keep it opaque (JSON with Buffers inside).
   */
  runState?: RunStateSnapshot;
}

/**
 * The part of a run's state that is acknowledged but not (yet) in its history, as Temporal's
 * mutable state keeps it: events buffered while a workflow task runs (a signal acknowledged to
 * its sender must survive a crash), activity attempt counters and the workflow-task attempt.
 * With `mutable`, the rest of the open run's state (timers, pending activities, children,
 * updates...) too; without it, that is rebuilt by replaying the history.
 */
export interface RunStateSnapshot {
  buffered: Array<{ name: string; attrs: Msg; time: number }>;
  activities: Array<{ scheduledEventId: number; attempt: number; lastFailure?: Msg; heartbeatDetails?: Msg }>;
  wtAttempt: number;
  requestIds: string[];
  /**
   * The open run's whole mutable state (`engine/history/mutableState.ts`), so start-up need not
   * replay its history; absent for closed runs.
   */
  mutable?: Msg;
}

/** An open run as start-up reads it: its record, its first event and its saved snapshot (no history). */
export interface StoredRunHead {
  run: RunRecord;
  /** The store's last event id of the run (a snapshot is trusted only when it matches). */
  lastEventId: number;
  /** Event 1 (`WorkflowExecutionStarted`), given only when the run has no stored {@link RunRecord.start}. */
  firstEvent?: Msg;
  state?: Msg;
}

export function runKeyOf(namespace: string, workflowId: string, runId: string): string {
  return `${namespace}/${workflowId}/${runId}`;
}
