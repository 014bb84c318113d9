/**
 * Loads a module into the SDK's workflow thread(s) before the SDK's own code, while a worker is
 * created (the SDK starts its workflow threads during `Worker.create` and offers no option for
 * it). Used for WORKER_DEADLOCK_DETECTION=off (worker/workflowThreadWithoutWatchdog.js) and
 * WORKER_STACK_TRACES=off (worker/workflowThreadWithoutStackTraces.js).
 *
 * How: for the duration of `create`, `worker_threads.Worker` is a subclass that adds
 * `--require <module>` to NODE_OPTIONS of the thread the SDK starts from its
 * `workflow-worker-thread.js`, and of no other thread. NODE_OPTIONS rather than `execArgv`:
 * the thread keeps inheriting the process's flags (an explicit `execArgv` refuses V8 flags such
 * as `--max-old-space-size`).
 */
import workerThreads = require('node:worker_threads');

/** The SDK's workflow thread entry (`@temporalio/worker` 1.24, lib/workflow/threaded-vm.js starts it). */
export const sdkWorkflowThreadFile = require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread');

/** `--require "<file>"` as NODE_OPTIONS quotes it. */
export function requireOption(file: string): string {
  return `--require "${file.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Runs `create` (a `Worker.create`) with `preload` (one module or several, in order) required
 * into every SDK workflow thread it starts (`threadFile`: tests name another); other threads are
 * started unchanged. Threads started after `create` settled (none in SDK 1.24: a dead workflow
 * thread fails the worker) would not get it. `resourceLimits` are given to those threads too
 * (WORKER_WORKFLOW_THREAD_HEAP_MB). No module and no limits: `create` as it is.
 */
export async function withWorkflowThreadPreload<T>(
  preload: string | readonly string[],
  create: () => Promise<T>,
  threadFile: string = sdkWorkflowThreadFile,
  resourceLimits?: workerThreads.ResourceLimits,
): Promise<T> {
  const preloads = typeof preload === 'string' ? [preload] : preload;
  if (preloads.length === 0 && !resourceLimits) return create();
  const Original = workerThreads.Worker;
  class WorkflowThread extends Original {
    constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
      const file = filename instanceof URL ? filename.pathname : filename;
      if (file !== threadFile) {
        super(filename, options);
        return;
      }
      const env = { ...(options?.env && typeof options.env === 'object' ? (options.env as NodeJS.ProcessEnv) : process.env) };
      env.NODE_OPTIONS = [env.NODE_OPTIONS, ...preloads.map(requireOption)].filter(Boolean).join(' ');
      super(filename, { ...options, env, ...(resourceLimits ? { resourceLimits: { ...options?.resourceLimits, ...resourceLimits } } : {}) });
    }
  }
  workerThreads.Worker = WorkflowThread;
  try {
    return await create();
  } finally {
    workerThreads.Worker = Original;
  }
}
