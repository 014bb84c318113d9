import * as grpc from '@grpc/grpc-js';
import { addService } from './frontend/grpcServer';
import { healthHandlers, operatorServiceHandlers } from './frontend/operatorService';
import { testServiceHandlers } from './frontend/testService';
import { workflowServiceHandlers } from './frontend/workflowService';
import { HistoryService } from './history/historyService';
import { recoverRuns, type RecoveryMode } from './history/recovery';
import type { RunFootprint } from './history/runFootprint';
import { Matching } from './matching/taskQueues';
import { DEFAULT_PAYLOAD_LIMITS, NamespaceRegistry, type PayloadLimits } from './namespaces';
import { MemoryStore } from './persistence/memoryStore';
import type { PostgresStore } from './persistence/postgresStore';
import type { EngineStore, VisibilityRecord } from './persistence/store';
import { OffsetClock, type EngineClock } from './timers/clock';
import { TimerQueue } from './timers/timerQueue';
import { stepTo } from './timers/manualStepper';
import { TimeSkipper } from './timers/timeSkipper';
import { Visibility } from './visibility/visibility';

export type { EngineClock } from './timers/clock';
export { readSharedClock, sharedClockOffset } from './timers/clock';
export type { EngineStore } from './persistence/store';
export type { RunFootprint } from './history/runFootprint';

/** Which clock the engine runs: wall time, SDK-style time skipping, or wall time + a movable offset. */
export type ClockOption =
  | 'real'
  | 'skipping'
  | {
      kind: 'manual';
      startAt?: Date;
      /** Publish the offset here, for another thread to tell the time ({@link readSharedClock}). */
      sharedOffset?: SharedArrayBuffer;
    };

/** A running engine. */
export interface EngineHandle {
  /** `host:port` to give to `Connection.connect({ address })` / `NativeConnection.connect`. */
  address: string;
  port: number;
  clock: EngineClock;
  /** Runs held in memory: every open run, and closed runs still in the closed-run cache. */
  residentRuns(): { open: number; closed: number; openWithTail: number };
  /**
   * What the open runs in memory hold, by structure: resident events, byte arrays that are views
   * into a larger buffer, distinct objects for usually equal values. Walks every open run: for
   * diagnostics and tests.
   */
  openRunFootprint(): RunFootprint;
  /**
   * Workflow-task queue entries per matching lane (`interactive`: queries and tasks a person waits
   * on; `backlog`: the rest), stale entries included; namespace `default` unless given. For diagnostics and tests.
   */
  queuedWorkflowTasks(taskQueue: string, namespace?: string): { interactive: number; backlog: number };
  /** Open runs rebuilt at start, and how many of them by replaying their history (no usable snapshot). */
  recovered: { runs: number; replayed: number };
  /** Stops serving and releases every timer. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 'real'. */
  clock?: ClockOption;
  /** Namespace registered at start (default "default"; "default" is always registered). */
  namespace?: string;
  /** Custom search attributes (name -> IndexedValueType enum name) registered in the start namespaces. */
  searchAttributes?: Record<string, string>;
  /** An {@link EngineStore}; default in-memory. The caller closes it after {@link EngineHandle.stop}. */
  store?: unknown;
  /**
   * Keep the engine's state in this PostgreSQL database (a {@link PostgresStore} the engine opens
   * at start and closes on stop). Start fails if another engine already uses the database.
   * Ignored when `store` is given.
   */
  databaseUrl?: string;
  /** Payload size limits (default 2 MiB per payload field and per memo, as Temporal). */
  limits?: Partial<PayloadLimits>;
  /** Honour sticky task queues (default true). */
  sticky?: boolean;
  /**
   * Closed runs kept in memory after they close (default 1 000); older ones are read back from
   * the store when asked for. Open runs always stay in memory (their history is paged out).
   */
  closedRunCacheSize?: number;
  /**
   * Open runs that keep the history a sticky task needs in memory (default 2 000, most recently
   * written); the others read it back from the store at their next task, as recovered runs do.
   */
  residentTailRuns?: number;
  /**
   * Namespace retention, as Temporal's: runs closed longer ago than their namespace's retention
   * period are deleted from the store. `days` is the retention of the namespaces registered at
   * start (default 1, as the dev server); `sweepEveryMs` how often the sweep runs (default one
   * hour; 0 turns retention off).
   */
  retention?: { days?: number; sweepEveryMs?: number };
  /**
   * How start-up rebuilds open runs: `'snapshot'` (default) from each run's saved mutable state
   * and first event, replaying only runs without a usable snapshot; `'replay'` replays every
   * history (slower; kept to check that both give the same state).
   */
  recovery?: RecoveryMode;
  /**
   * How long a task queue's poller stays listed by `DescribeTaskQueue` after its last poll
   * (default 60 000 ms; Temporal's matching keeps pollers 5 minutes). A poll waiting now always
   * counts. Tests that watch a worker go away set it shorter.
   */
  pollerHistoryMs?: number;
  /** Called with unexpected internal errors (default: printed to stderr). */
  onError?: (where: string, err: unknown) => void;
  /**
   * Called when a store write fails. The engine has already stopped serving (memory would be
   * ahead of the store); the CLI exits so that a restart recovers from the store.
   */
  onStoreFailure?: (err: unknown) => void;
}

/**
 * Starts a Temporal-API-compatible engine in this process.
 *
 * @example
 * ```ts
 * const engine = await startEngine({ clock: 'skipping' });
 * const connection = await NativeConnection.connect({ address: engine.address });
 * // ...
 * await engine.stop();
 * ```
 */
export async function startEngine(options: EngineOptions = {}): Promise<EngineHandle> {
  const clockOpt = options.clock ?? 'real';
  const clock =
    clockOpt === 'real' ? new OffsetClock('real') : clockOpt === 'skipping' ? new OffsetClock('skipping') : new OffsetClock('manual', clockOpt.startAt?.getTime(), clockOpt.sharedOffset);
  const timers = new TimerQueue(clock);
  // A lost lock session is handled like a failed write: stop serving (see onStoreFailure).
  let storeFatal: (err: unknown) => void = () => undefined;
  // `pg` is loaded only when used: an in-memory engine (the SDK test launchers) starts faster.
  const ownedStore: PostgresStore | undefined =
    !options.store && options.databaseUrl
      ? await (await import('./persistence/postgresStore')).PostgresStore.open({ databaseUrl: options.databaseUrl, onFatal: (err) => storeFatal(err) })
      : undefined;
  const store = (options.store as EngineStore | undefined) ?? ownedStore ?? new MemoryStore();
  const limits: PayloadLimits = { ...DEFAULT_PAYLOAD_LIMITS, ...options.limits };
  const namespaces = new NamespaceRegistry(store, limits);
  await namespaces.load();
  const retentionDays = options.retention?.days ?? 1;
  await namespaces.ensure('default', retentionDays);
  if (options.namespace) await namespaces.ensure(options.namespace, retentionDays);
  if (options.searchAttributes && Object.keys(options.searchAttributes).length > 0) {
    for (const ns of new Set(['default', options.namespace ?? 'default'])) await namespaces.addSearchAttributes(ns, options.searchAttributes);
  }
  const matching = new Matching();
  // Rows of runs in memory come from the history service when a query asks (declared below).
  let residentRows: (namespace: string) => VisibilityRecord[] = () => [];
  const visibility = new Visibility(namespaces, store, (ns) => residentRows(ns));
  const onError = options.onError ?? ((where: string, err: unknown) => console.error(`[engine] ${where}:`, err));
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 128 * 1024 * 1024, 'grpc.max_send_message_length': 128 * 1024 * 1024 });
  let skipper: TimeSkipper | undefined;
  let storeFailed = false;
  const history = new HistoryService({
    clock,
    timers,
    matching,
    store,
    onChange: () => skipper?.poke(),
    typeSearchAttributes: (ns, sa) => visibility.typeSearchAttributes(ns, sa),
    blobSizeLimitError: limits.blobSizeError,
    closedRunCacheSize: options.closedRunCacheSize,
    residentTailRuns: options.residentTailRuns,
    onStoreFailure: (err) => {
      if (storeFailed) return;
      storeFailed = true;
      onError('store write', err);
      server.forceShutdown();
      options.onStoreFailure?.(err);
    },
  });
  storeFatal = (err) => history.deps.onStoreFailure(err);
  residentRows = (ns) => history.residentVisibility(ns);
  if (clockOpt === 'skipping') skipper = new TimeSkipper(clock, timers, () => history.inFlightCount());
  // The store's histories are the truth: rebuild every open run from them before serving.
  const recovered = await recoverRuns(history, store, options.recovery);
  await history.flush();
  const sweepEveryMs = options.retention?.sweepEveryMs ?? 3_600_000;
  let sweeping: Promise<void> | undefined;
  const sweep = () => {
    sweeping ??= sweepRetention(history, namespaces, store, clock)
      .catch((err) => onError('retention sweep', err))
      .finally(() => (sweeping = undefined));
  };
  const sweepTimer = sweepEveryMs > 0 ? setInterval(sweep, sweepEveryMs) : undefined;
  sweepTimer?.unref();
  if (sweepEveryMs > 0) sweep();

  addService(
    server,
    'temporal.api.workflowservice.v1.WorkflowService',
    workflowServiceHandlers({ history, matching, namespaces, visibility, stickyEnabled: options.sticky ?? true, serverVersion: '1.24.0-engine', pollerHistoryMs: options.pollerHistoryMs ?? 60_000 }),
    onError,
  );
  addService(server, 'temporal.api.testservice.v1.TestService', testServiceHandlers(clock, timers, skipper), onError);
  addService(server, 'temporal.api.operatorservice.v1.OperatorService', operatorServiceHandlers(namespaces), onError);
  addService(server, 'grpc.health.v1.Health', healthHandlers(), onError);
  const host = options.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
  } catch (err) {
    // Nothing may keep running for an engine that never served (recovered timers included).
    if (sweepTimer) clearInterval(sweepTimer);
    await sweeping;
    skipper?.stop();
    timers.stop();
    matching.close();
    server.forceShutdown();
    await ownedStore?.close();
    throw err;
  }
  let stopped = false;
  return {
    address: `${host}:${port}`,
    port,
    clock:
      clock.kind === 'manual'
        ? { ...clock.publicView(), advanceTo: (ms, o) => stepTo(ms, clock, timers, () => history.inFlightCount(), o?.settleTimeoutMs) }
        : clock.publicView(),
    residentRuns: () => history.cache.residentRuns(),
    openRunFootprint: () => history.cache.openRunFootprint(),
    queuedWorkflowTasks: (taskQueue, namespace) => matching.depth(namespace ?? 'default', 'workflow', taskQueue),
    recovered,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (sweepTimer) clearInterval(sweepTimer);
      await sweeping;
      skipper?.stop();
      timers.stop();
      matching.close();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
      await ownedStore?.close();
    },
  };
}

/**
 * Namespace retention (Temporal's): deletes runs closed longer ago than their namespace's
 * retention period, with their history and visibility row, and drops them from memory.
 */
async function sweepRetention(history: HistoryService, namespaces: NamespaceRegistry, store: EngineStore, clock: OffsetClock): Promise<void> {
  for (const ns of namespaces.list()) {
    const deleted = await store.deleteClosedRuns(ns.name, clock.now() - ns.retentionDays * 86_400_000);
    for (const runKey of deleted) history.cache.forgetClosedRun(runKey);
  }
}
