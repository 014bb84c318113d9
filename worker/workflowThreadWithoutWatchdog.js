// Preloaded (`--require`) into the SDK's workflow thread only, when WORKER_DEADLOCK_DETECTION=off
// (worker/workflowThreadPreload.ts puts it there; worker/tuning.ts documents the trade).
//
// Why: the SDK calls into the workflow sandbox with `vm` and `timeout: isolateExecutionTimeout`
// (its deadlock detection, 5 s), and Node starts and joins a watchdog thread for EVERY such call
// (an event loop, a timer, a thread: ~0.1 ms of CPU, more wall time on a loaded machine) — several
// calls per activation. Without the timeout the call runs the same code with no watchdog.
// The cost: workflow code that never returns (an endless loop) hangs this thread, and with it
// every workflow of the worker, instead of failing that one workflow task after 5 s.
//
// Plain JavaScript: the workflow thread has no ts-node (and `npm run build` copies this file).
'use strict';
const { isMainThread } = require('node:worker_threads');

if (!isMainThread) {
  const vm = require('node:vm');
  const withoutTimeout = (options) => {
    if (options === null || typeof options !== 'object' || options.timeout === undefined) return options;
    const { timeout: _dropped, ...rest } = options;
    return rest;
  };
  const runScriptInContext = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function runInContext(context, options) {
    return runScriptInContext.call(this, context, withoutTimeout(options));
  };
  const runCodeInContext = vm.runInContext;
  vm.runInContext = function runInContext(code, context, options) {
    return runCodeInContext.call(this, code, context, withoutTimeout(options));
  };
}
