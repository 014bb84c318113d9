/**
 * Builds the worker that runs work-order workflows and their activities.
 */
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { WorkOrderActivities } from '../activities';
import { TASK_QUEUE } from '../workflows/messages';
import { cachedWorkflowBundle } from './bundleCache';
import type { WorkerTuning } from './tuning';
import { withWorkflowThreadPreload } from './workflowThreadPreload';

/** Path of the module that exports every workflow. */
export const workflowsPath = require.resolve('../workflows');

/**
 * The payload converter of the workflow code and the activities (workflows/payloadConverter.ts:
 * the SDK's default with the platform's UTF-8 coding). Bundled into the workflow code, so every
 * bundle must be made with it.
 */
export const payloadConverterPath = require.resolve('../workflows/payloadConverter');

/**
 * Modules the worker loads once per workflow thread, before any workflow (workflows/preload.ts:
 * the sandbox's stack-trace depth). Resolved paths, as webpack takes them.
 */
export const preloadModules = [require.resolve('../workflows/preload')];

/** Required into the workflow thread when deadlock detection is off (plain JS: the thread has no ts-node). */
export const workflowThreadWithoutWatchdog = path.join(__dirname, 'workflowThreadWithoutWatchdog.js');

/** Required into the workflow thread for one deadlock watchdog per activation (WORKER_DEADLOCK_DETECTION=on). */
export const workflowThreadActivationWatchdog = path.join(__dirname, 'workflowThreadActivationWatchdog.js');

/** Required into the workflow thread when stack traces are off (WORKER_STACK_TRACES; plain JS as above). */
export const workflowThreadWithoutStackTraces = path.join(__dirname, 'workflowThreadWithoutStackTraces.js');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  /** Default {@link TASK_QUEUE}. */
  taskQueue?: string;
  /** From `createActivities(deps)` (activities/index.ts), or fakes of the same shape in tests. */
  activities: WorkOrderActivities;
  /** A bundle made once with {@link bundleWorkOrderWorkflows} (tests reuse it); bundled from
   * {@link workflowsPath} when absent. */
  workflowBundle?: WorkflowBundle;
  /** Optional worker identity (shows in history). */
  identity?: string;
  /** Cache size, concurrency, threads and the bundle cache (worker/tuning.ts); the SDK's defaults when absent. */
  tuning?: WorkerTuning;
  /** The payload codec (temporal/payloadCodec.ts) — the same the client uses. Its payload
   * converter, if any, is replaced by {@link payloadConverterPath}. */
  dataConverter?: DataConverter;
}

/**
 * Bundles the workflow code once (webpack; a few seconds). Pass the result to several workers.
 */
export function bundleWorkOrderWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, preloadModules, payloadConverterPath, logger: quietBundlerLogger });
}

/** The bundler's logger: it logs every webpack step at info; only problems matter here. */
export const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
};

/**
 * Creates (does not run) a worker polling `taskQueue` for work-order workflows and activities.
 *
 * @example
 * const connection = await NativeConnection.connect({ address: 'localhost:7233' });
 * const worker = await createWorker({ connection, activities: createActivities({ pool }) });
 * await worker.run();
 */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const tuning = options.tuning;
  let workflowBundle = options.workflowBundle;
  if (!workflowBundle && tuning?.bundleCacheDir) {
    workflowBundle = (await cachedWorkflowBundle(tuning.bundleCacheDir, bundleWorkOrderWorkflows)).bundle;
  }
  const create = () => Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: options.activities,
    ...(options.identity ? { identity: options.identity } : {}),
    // Activities decode with the same converter the workflow code was bundled with.
    dataConverter: { ...options.dataConverter, payloadConverterPath },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath, bundlerOptions: { preloadModules } }),
    ...(tuning
      ? {
          maxCachedWorkflows: tuning.maxCachedWorkflows,
          maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
          maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
          maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivityExecutions,
          workflowThreadPoolSize: tuning.workflowThreadPoolSize,
        }
      : {}),
  });
  const preloads = [
    ...(tuning?.deadlockDetection === 'off' ? [workflowThreadWithoutWatchdog] : []),
    ...(tuning?.deadlockDetection === 'activation' ? [workflowThreadActivationWatchdog] : []),
    ...(tuning && !tuning.stackTraces ? [workflowThreadWithoutStackTraces] : []),
  ];
  const limits = tuning?.workflowThreadHeapMb ? { maxOldGenerationSizeMb: tuning.workflowThreadHeapMb } : undefined;
  return withWorkflowThreadPreload(preloads, create, undefined, limits);
}
