// Preloaded (`--require`) into the SDK's workflow thread only, when WORKER_STACK_TRACES=off (the
// default; worker/workflowThreadPreload.ts puts it there; worker/tuning.ts documents the trade).
//
// Why (issue 9, measured with `npm run bench:profile`): the SDK installs a V8 promise hook in its
// workflow thread that records a stack trace for EVERY promise a workflow creates (an `Error`,
// its formatted stack, a source-map lookup per frame), only so that the `__stack_trace` /
// `__enhanced_stack_trace` queries (`temporal workflow stack`, the Web UI's call stack) can show
// where a workflow waits. Even at 6 frames (workflows/preload.ts) it was about a quarter of the
// workflow thread's CPU per creation or action.
//
// How: the SDK's own switch. `GlobalHandlers.setPromiseHook` (lib/workflow/vm-shared.js, SDK
// 1.24) is what installs that hook; here it installs nothing, so `promiseHookInstalled` stays
// false and the SDK runs its workflows with `stackTracesEnabled: false`, the path it takes where
// promise hooks do not exist (Bun): the stack-trace queries then fail with "Workflow stack traces
// are not enabled on this worker". Failures thrown in workflow code keep their stacks.
//
// NOT `v8.promiseHooks.createHook` (an earlier attempt replaced it): that object is Node's
// `internal/promise_hooks` itself, and Node's async_hooks install their promise hooks through
// it too. Without them AsyncLocalStorage loses its store across `await`, and with it the SDK's
// CancellationScope: a work order's local activity was then scheduled inside the cancellable
// scope of the main loop's `condition(fn, timeout)`, cancelled with it, and the second action
// never answered.
//
// Plain JavaScript: the workflow thread has no ts-node (and `npm run build` copies this file).
'use strict';
const { isMainThread } = require('node:worker_threads');

if (!isMainThread) {
  const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared');
  if (!globalHandlers || typeof globalHandlers.setPromiseHook !== 'function' || globalHandlers.installed) {
    // Another SDK version: say so at start rather than run with the hook silently still on.
    throw new Error('WORKER_STACK_TRACES=off does not fit this @temporalio/worker (no GlobalHandlers.setPromiseHook to turn off); set WORKER_STACK_TRACES=on');
  }
  globalHandlers.setPromiseHook = function setPromiseHook() {
    // Not installed: promiseHookInstalled stays false.
  };
}
