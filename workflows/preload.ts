/**
 * Runs once per workflow thread, when the worker loads the bundle (the bundler's
 * `preloadModules`, worker/createWorker.ts), before the SDK freezes the sandbox's globals.
 *
 * Why (issue 9, measured with `npm run bench:profile`): the SDK's promise hook records a stack
 * trace for EVERY promise a workflow creates (for the `__stack_trace` query): an `Error`, its
 * stack and a source-map lookup per frame. With V8's default of 10 frames that was ~28 % of the
 * workflow thread's time. The depth comes from the sandbox's own `Error.stackTraceLimit`; 6 frames
 * still show where a workflow waits and where a failure was thrown.
 *
 * Nothing else may go here: a preloaded module is shared by every workflow of the thread.
 */
/** Frames kept in stack traces inside workflows (V8's default is 10). */
export const WORKFLOW_STACK_TRACE_LIMIT = 6;

Error.stackTraceLimit = WORKFLOW_STACK_TRACE_LIMIT;
