// Preloaded (`--require`) into the SDK's workflow thread only, when WORKER_DEADLOCK_DETECTION=on
// (the default; worker/workflowThreadPreload.ts puts it there, worker/tuning.ts documents it).
//
// The SDK's deadlock detection gives every call into the workflow sandbox a `vm` timeout
// (`isolateExecutionTimeout`, 5 s), and Node starts and joins a watchdog thread for each timed
// call: ≈ 50 µs of CPU on an idle machine, more on a loaded one, where the join waits for that
// thread to be scheduled while the one workflow thread waits with it. An activation makes 3–5
// such calls (activate, each round of unblocking conditions, conclude), and a work order replayed
// after a cache eviction makes them for every activation of its history: in a burst of deadlines
// the watchdogs were over half of the workflow thread's CPU (issue 9).
//
// Here one watchdog covers several requests instead: the calls into the sandbox run without their
// own timeout (worker/workflowThreadWithoutWatchdog.js) inside one timed call. It wraps the
// synchronous part of the SDK's handling of a request that runs workflow code (an activation:
// the workflow code, its microtasks, the unblocked conditions, up to the completion; or a
// workflow's creation) and, while that call has run less than BATCH_WINDOW_MS, of the requests
// already queued behind it on the thread's port (`receiveMessageOnPort`), which would otherwise
// each wait for their own watchdog: in a burst of 4 000 deadlines (its seeding included) 4.2
// activations and creations went through per timed call. So every activation runs at least the
// timeout less BATCH_WINDOW_MS before it is stopped, and at most the timeout. V8's termination
// crosses the nested calls, so an endless loop anywhere in them ends the outer call, and that
// activation fails with the same error the SDK gives (and its `activate` would have returned):
// the workflow task fails, the run is evicted, other work orders go on; the requests before it in
// the call are answered as usual and those after it stay queued. Nothing else changes.
//
// Plain JavaScript: the workflow thread has no ts-node (and `npm run build` copies this file).
'use strict';
const { isMainThread, parentPort, receiveMessageOnPort } = require('node:worker_threads');

/** A timed call takes further queued requests while it has run less than this (ms). */
const BATCH_WINDOW_MS = 10;
/** At most this many requests in one timed call. */
const BATCH_MAX = 64;

if (!isMainThread && parentPort) {
  require('./workflowThreadWithoutWatchdog.js');
  const vm = require('node:vm');
  const { BaseVMWorkflow } = require('@temporalio/worker/lib/workflow/vm-shared');
  const { ReusableVMWorkflowCreator } = require('@temporalio/worker/lib/workflow/reusable-vm');
  const { VMWorkflowCreator } = require('@temporalio/worker/lib/workflow/vm');

  /** The SDK's `isolateExecutionTimeoutMs`, as the thread's `init` request gives it to the creator. */
  let timeoutMs;

  // Node's async-context stack (async_hooks): a promise continuation pushes its context and pops
  // it when it returns; one stopped by the watchdog never pops, and Node then aborts the whole
  // process ("async hook stack has become corrupted") when the message that carried the
  // activation returns. With the SDK's own per-call timeout too: a loop after an `await` (our main
  // loop's `tick` runs after one) took the service down instead of failing its task. After a
  // timeout the contexts the stopped code left are popped, down to the depth before the call.
  // Node has no public API for that; the binding is read once, its deprecation notice silenced.
  // A Node without it (the image runs Node 22; tested here on 20) keeps the watchdog and only
  // loses the repair: such a loop then aborts as it did with the SDK's own timeout.
  const asyncWrap = internalAsyncWrap();
  const { kStackLength, kExecutionAsyncId } = asyncWrap?.constants ?? {};
  const stackLength = () => (asyncWrap && kStackLength !== undefined ? asyncWrap.async_hook_fields[kStackLength] : 0);
  function restoreAsyncContexts(depth) {
    while (stackLength() > depth) asyncWrap.popAsyncContext(asyncWrap.async_id_fields[kExecutionAsyncId]);
  }

  // One precompiled call in the thread's own context; the function it calls is set just before.
  const timedCall = new vm.Script('globalThis.__hotlineWatchedCall()', { filename: 'hotline-activation-watchdog' });
  const timedOut = (error) => error !== null && typeof error === 'object' && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
  /** True inside a timed call: the calls nested in it run without one of their own. */
  let watching = false;
  /** Runs `fn` synchronously under one watchdog of `timeoutMs` (no watchdog without a timeout). */
  function watched(fn) {
    if (!(timeoutMs > 0) || watching) return fn();
    const depth = stackLength();
    globalThis.__hotlineWatchedCall = fn;
    watching = true;
    try {
      return timedCall.runInThisContext({ timeout: timeoutMs });
    } catch (error) {
      if (timedOut(error)) restoreAsyncContexts(depth);
      throw error;
    } finally {
      watching = false;
      globalThis.__hotlineWatchedCall = undefined;
    }
  }

  /** Runs whose activation or creation was stopped by the watchdog, with its error: the SDK answers it failed. */
  const stoppedRuns = new Map();
  /** What the SDK's `activate` returns when a call into the sandbox times out. */
  const timedOutCompletion = (workflow, error) => ({ runId: workflow.activator.info.runId, failed: { failure: workflow.activator.errorToFailure(error) } });
  /** The requests that run workflow code, each of which needs a watchdog. */
  const runsWorkflowCode = (request) => request?.input?.type === 'activate-workflow' || request?.input?.type === 'create-workflow';
  /**
   * The requests that can share a timed call: the SDK's main thread sends a run's next request
   * only once the previous one is answered, so no two of them are for the same run, and each
   * needs only its synchronous part done before the next (`init` and `destroy` go alone). Taking
   * a run's sink calls and disposing of it run no workflow code: they start no watchdog of their
   * own, and join one that runs.
   */
  const sharesTimedCall = (request) => runsWorkflowCode(request) || request?.input?.type === 'extract-sink-calls' || request?.input?.type === 'dispose-workflow';
  const runOf = (input) => (input.type === 'create-workflow' ? input.options?.info?.runId : input.runId);

  /**
   * Hands `first` to the SDK's request listener and, when it runs workflow code, the requests
   * queued behind it that can share its watchdog too (see the top of this file).
   */
  function dispatchRequests(listener, first) {
    if (!(timeoutMs > 0) || !runsWorkflowCode(first)) return void listener(first);
    let current = first;
    /** A request that goes alone, taken from the queue: handled after the timed call, in order. */
    let following;
    const started = performance.now();
    try {
      watched(() => {
        for (let handled = 1; ; handled++) {
          listener(current);
          current = undefined;
          // Only while the call is young, so each activation keeps (almost) the whole timeout.
          if (handled >= BATCH_MAX || performance.now() - started >= BATCH_WINDOW_MS) return;
          const next = receiveMessageOnPort(parentPort);
          if (next === undefined) return;
          if (!sharesTimedCall(next.message)) {
            following = next.message;
            return;
          }
          current = next.message;
        }
      });
    } catch (error) {
      if (!timedOut(error)) throw error;
      // The listener of the request that was running never returns: it is handled again, and an
      // activation or creation then fails as the SDK's own timeout would have failed it.
      if (current !== undefined) {
        if (runsWorkflowCode(current)) stoppedRuns.set(runOf(current.input), error);
        listener(current);
      }
    }
    if (following !== undefined) listener(following);
  }

  // The SDK's workflow thread registers one `message` listener on its port (workflow-worker-thread.js).
  const on = parentPort.on;
  let wrapped = false;
  parentPort.on = function onMessageInBatches(type, listener) {
    if (type !== 'message' || wrapped || typeof listener !== 'function') return on.call(this, type, listener);
    wrapped = true;
    return on.call(this, type, (request) => dispatchRequests(listener, request));
  };

  // Both run inside dispatchRequests' timed call (`watched` then adds none); called any other way,
  // they keep one of their own.
  const activate = BaseVMWorkflow.prototype.activate;
  BaseVMWorkflow.prototype.activate = function activateUnderOneWatchdog(activation) {
    const stopped = stoppedRuns.get(this.runId);
    if (stopped !== undefined) {
      stoppedRuns.delete(this.runId);
      return Promise.resolve(timedOutCompletion(this, stopped));
    }
    try {
      return watched(() => activate.call(this, activation));
    } catch (error) {
      if (!timedOut(error)) throw error;
      return Promise.resolve(timedOutCompletion(this, error));
    }
  };

  for (const Creator of [ReusableVMWorkflowCreator, VMWorkflowCreator]) {
    const create = Creator.create;
    Creator.create = function createRecordingTimeout(workflowBundle, isolateExecutionTimeoutMs, ...rest) {
      timeoutMs = isolateExecutionTimeoutMs;
      return create.call(this, workflowBundle, isolateExecutionTimeoutMs, ...rest);
    };
    const createWorkflow = Creator.prototype.createWorkflow;
    Creator.prototype.createWorkflow = function createWorkflowUnderOneWatchdog(options) {
      const stopped = stoppedRuns.get(options?.info?.runId);
      if (stopped !== undefined) {
        stoppedRuns.delete(options.info.runId);
        return Promise.reject(stopped);
      }
      try {
        return watched(() => createWorkflow.call(this, options));
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
}

/** Node's `async_wrap` binding, or undefined where `process.binding` no longer gives it. */
function internalAsyncWrap() {
  const silenced = process.noDeprecation;
  process.noDeprecation = true;
  try {
    const binding = process.binding('async_wrap');
    return typeof binding?.popAsyncContext === 'function' && binding.async_hook_fields && binding.async_id_fields ? binding : undefined;
  } catch {
    return undefined;
  } finally {
    process.noDeprecation = silenced;
  }
}
