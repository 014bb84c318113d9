// Preloaded (`--require`) into the SDK's workflow thread only, when WORKER_DEADLOCK_DETECTION=on
// (the default; worker/workflowThreadPreload.ts puts it there, worker/tuning.ts documents it).
//
// The SDK's deadlock detection gives every call into the workflow sandbox a `vm` timeout
// (`isolateExecutionTimeout`, 5 s), and Node starts and joins a watchdog thread for each timed
// call: ≈ 50 µs of CPU on an idle machine, more on a loaded one. An activation makes 3–5 such
// calls (activate, each round of unblocking conditions, conclude), and a work order replayed
// after a cache eviction makes them for every activation of its history: in a burst of deadlines
// the watchdogs were over half of the workflow thread's CPU (issue 9).
//
// Here one watchdog covers a whole activation instead: the calls into the sandbox run without
// their own timeout (worker/workflowThreadWithoutWatchdog.js) inside one timed call that wraps
// the synchronous part of the SDK's `activate` (everything up to the completion: the workflow
// code, its microtasks, the unblocked conditions) and of `createWorkflow`. V8's termination
// crosses the nested calls, so an endless loop anywhere in them ends the outer call after the
// same timeout, and that activation fails with the same error the SDK gives (and the SDK's
// `activate` would have returned): the workflow task fails, the run is evicted, other work
// orders go on. Nothing else changes.
//
// Plain JavaScript: the workflow thread has no ts-node (and `npm run build` copies this file).
'use strict';
const { isMainThread } = require('node:worker_threads');

if (!isMainThread) {
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
  /** Runs `fn` synchronously under one watchdog of `timeoutMs` (no watchdog without a timeout). */
  function watched(fn) {
    if (!(timeoutMs > 0)) return fn();
    const depth = stackLength();
    globalThis.__hotlineWatchedCall = fn;
    try {
      return timedCall.runInThisContext({ timeout: timeoutMs });
    } catch (error) {
      if (timedOut(error)) restoreAsyncContexts(depth);
      throw error;
    } finally {
      globalThis.__hotlineWatchedCall = undefined;
    }
  }

  const activate = BaseVMWorkflow.prototype.activate;
  BaseVMWorkflow.prototype.activate = function activateUnderOneWatchdog(activation) {
    try {
      return watched(() => activate.call(this, activation));
    } catch (error) {
      if (!timedOut(error)) throw error;
      // What the SDK's `activate` returns when a call into the sandbox times out.
      return Promise.resolve({ runId: this.activator.info.runId, failed: { failure: this.activator.errorToFailure(error) } });
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
