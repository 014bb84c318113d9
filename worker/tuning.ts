/**
 * The worker's tuning, from the environment (validated at start; documented in the README's
 * configuration table). The defaults aim at one 2-core machine with 100 000 open work orders in
 * a 2 GiB budget (issue 9): the cache is bounded whatever the number open; a cached workflow
 * costs memory, an evicted one a replay of its history on its next task (bench/scale.ts
 * measures both).
 */
import { z } from 'zod';
import { DEFAULT_OUTBOX_GROUPING, type OutboxGrouping } from '../activities/outboxWriter';

const positive = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/** The environment variables of the worker's tuning, with their defaults. */
export const workerTuningShape = {
  /**
   * Workflows kept in the worker's cache (sticky); the rest replay their history on their next
   * task, at about twice the CPU of a cached one. ≈ 120 KiB each over the whole process (workflow
   * thread ≈ 40 KiB since the workflow code is shared, workflows/preload.ts; the SDK's main-thread
   * and Rust state the rest). At 100 000 open, after a restart that replayed 8 472 of them, the
   * whole service was at 1.61 GiB (PSS) with 2 000 and 1.84 GiB with 3 000: 2 000 keeps a margin
   * under the 2 GiB budget for longer histories (README, Scale).
   */
  WORKER_MAX_CACHED_WORKFLOWS: positive(2000),
  /** Workflow tasks processed at once (the SDK's default is 40). */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positive(40),
  /** Activities run at once (they share the database pool): webhook deliveries. */
  WORKER_MAX_CONCURRENT_ACTIVITIES: positive(100),
  /** Local activities run at once: the outbox transactions of workflow tasks in flight (the SDK's default is 100). */
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: positive(100),
  /**
   * Most work orders whose outbox batches share one statement (activities/outboxWriter.ts): the
   * batches that arrive while earlier ones are being written go together, one commit for all.
   */
  OUTBOX_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(DEFAULT_OUTBOX_GROUPING.maxBatch),
  /** Outbox statements written at the same time, each on a connection of the database pool. */
  OUTBOX_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100).default(DEFAULT_OUTBOX_GROUPING.maxInFlight),
  /** Threads that run workflow code (one V8 context each, shared by its workflows). */
  WORKER_WORKFLOW_THREADS: positive(1),
  /**
   * Old-generation heap limit of each workflow thread in MiB (`resourceLimits.maxOldGenerationSizeMb`).
   * `auto` (default): 128 MiB + 1 MiB per 12 cached workflows (295 MiB with the default cache of
   * 2 000), ≈ 2.5 × the live heap measured with a full cache (≈ 40 KiB per cached workflow plus
   * ≈ 35 MiB, issue 9); 0: V8's own, which lets the heap grow to ≈ 0.5 GiB of mostly garbage before it
   * collects. Above the limit the thread, and with it the worker, stops (out of memory): keep it
   * well above the live heap of a full cache (the memory probe of bench:capacity shows it).
   */
  WORKER_WORKFLOW_THREAD_HEAP_MB: z.union([z.literal('auto'), z.coerce.number().int().min(0).max(65_536)]).default('auto'),
  /**
   * Deadlock detection: a call into workflow code that runs over the SDK's
   * `isolateExecutionTimeout` (5 s) fails that workflow task instead of hanging the thread, and
   * with it every workflow of the worker. Node gives each timed `vm` call a watchdog thread of
   * its own, started and joined per call (≈ 50 µs of CPU each, more on a loaded machine).
   * - `on` (default): one watchdog around all of an activation's calls into the sandbox, shared
   *   with the requests already queued behind it while it is young (10 ms), so each activation
   *   keeps the timeout less at most 10 ms (worker/workflowThreadActivationWatchdog.js); the
   *   same failure.
   * - `per-call`: the SDK's own, one watchdog per call (3–5 per activation): a deadline burst
   *   whose work orders replay after cache evictions spent over half of the workflow thread's
   *   CPU on them (issue 9).
   * - `off`: no timeout (worker/workflowThreadWithoutWatchdog.js): workflow code stuck in an
   *   endless loop hangs every workflow of this worker.
   */
  WORKER_DEADLOCK_DETECTION: z.enum(['on', 'per-call', 'off']).default('on'),
  /**
   * `on`: the SDK records a stack trace for every promise a workflow creates (a V8 promise hook),
   * so the `__stack_trace` query (`temporal workflow stack`, the Web UI's call stack) shows where
   * each workflow waits. `off` (default): that hook is not installed in the workflow thread
   * (worker/workflowThreadWithoutStackTraces.js): it was about a quarter of the thread's CPU per
   * creation or action (issue 9); the stack-trace queries then answer "not enabled". Failures
   * keep their stacks. Turn it `on` to see where a workflow that seems stuck waits.
   */
  WORKER_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  /**
   * Folder of prebuilt workflow bundles, keyed by a hash of the workflow sources and the SDK
   * version, so a restart skips webpack when the code has not changed; `off` bundles at every start.
   */
  WORKFLOW_BUNDLE_CACHE: z.string().min(1).default('node_modules/.cache/hotline-workflow-bundles'),
};

const workerTuningSchema = z.object(workerTuningShape);
export type WorkerTuningEnv = z.infer<typeof workerTuningSchema>;

/** What {@link createWorker} takes. */
export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  workflowThreadPoolSize: number;
  /** Old-generation heap limit of each workflow thread in MiB; absent: V8's own (WORKER_WORKFLOW_THREAD_HEAP_MB). */
  workflowThreadHeapMb?: number;
  /**
   * How calls into the workflow sandbox are timed (WORKER_DEADLOCK_DETECTION): one watchdog per
   * `activation`, the SDK's one per `call`, or `off`.
   */
  deadlockDetection: 'activation' | 'call' | 'off';
  /** False: the SDK's per-promise stack traces (the `__stack_trace` query) are not recorded (WORKER_STACK_TRACES). */
  stackTraces: boolean;
  /** Absent: bundle at every start. */
  bundleCacheDir?: string;
}

/**
 * The workflow thread's heap limit for a cache size: a cached workflow's live heap is ≈ 40 KiB
 * since the workflow code is shared (≈ 95 KiB before, workflows/preload.ts) and the thread's own
 * ≈ 35 MiB (bench:capacity, 2026-12-04), so 1 MiB per 12 plus 128 MiB leaves room for replays
 * and the garbage between collections.
 */
export function autoWorkflowThreadHeapMb(maxCachedWorkflows: number): number {
  return 128 + Math.ceil(maxCachedWorkflows / 12);
}

/** The tuning from parsed environment variables. */
export function workerTuning(env: WorkerTuningEnv): WorkerTuning {
  const heapMb = env.WORKER_WORKFLOW_THREAD_HEAP_MB === 'auto' ? autoWorkflowThreadHeapMb(env.WORKER_MAX_CACHED_WORKFLOWS) : env.WORKER_WORKFLOW_THREAD_HEAP_MB;
  return {
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: env.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    workflowThreadPoolSize: env.WORKER_WORKFLOW_THREADS,
    ...(heapMb > 0 ? { workflowThreadHeapMb: heapMb } : {}),
    deadlockDetection: ({ on: 'activation', 'per-call': 'call', off: 'off' } as const)[env.WORKER_DEADLOCK_DETECTION],
    stackTraces: env.WORKER_STACK_TRACES === 'on',
    ...(env.WORKFLOW_BUNDLE_CACHE === 'off' ? {} : { bundleCacheDir: env.WORKFLOW_BUNDLE_CACHE }),
  };
}

/** How the activities group outbox batches (`createActivities({ outboxGrouping })`). */
export function outboxGrouping(env: Pick<WorkerTuningEnv, 'OUTBOX_MAX_BATCH' | 'OUTBOX_MAX_IN_FLIGHT'>): OutboxGrouping {
  return { maxBatch: env.OUTBOX_MAX_BATCH, maxInFlight: env.OUTBOX_MAX_IN_FLIGHT };
}
