// Preloaded (`--require`) into the SDK's workflow thread only, when WORKER_STACK_TRACES=off (the
// default; worker/workflowThreadPreload.ts puts it there; worker/tuning.ts documents the trade).
//
// Why (issue 9, measured with `npm run bench:profile`): the SDK installs a V8 promise hook in its
// workflow thread that records a stack trace for EVERY promise a workflow creates (an `Error`,
// its formatted stack and a source-map lookup per frame), only so that the `__stack_trace` /
// `__enhanced_stack_trace` queries (`temporal workflow stack`, the Web UI's call-stack tab) can
// show where each workflow waits. Even at 6 frames (workflows/preload.ts) that hook was a quarter
// of the workflow thread's CPU. Here its `createHook` gets a hook that is never installed.
// The cost: those queries answer with no stacks. Failures thrown in workflow code keep theirs.
//
// Plain JavaScript: the workflow thread has no ts-node (and `npm run build` copies this file).
'use strict';
const { isMainThread } = require('node:worker_threads');

if (!isMainThread) {
  const { promiseHooks } = require('node:v8');
  // Only the SDK's workflow runtime (lib/workflow/vm-shared.js) calls this in the thread; Node's
  // own async context tracking uses internal hooks, not this API.
  promiseHooks.createHook = function createHook() {
    return function stop() {};
  };
}
