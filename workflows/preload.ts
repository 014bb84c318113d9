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
 * And the workflow code itself is loaded here, once per thread, and shared by every workflow of
 * the thread: the SDK's reusable context otherwise runs every module of the workflow again for
 * each workflow the worker creates or replays after an eviction (workflows/, domain/, the SDK's
 * `@temporalio/workflow`: 1.5 ms and 68 KiB of heap per workflow, measured; 0.5 ms and 12 KiB
 * shared). This is safe because those modules hold no state: constants, pure functions, the
 * update definitions and the activity proxies, which look the running workflow up when called.
 * A workflow's state lives in its own call of `workOrderWorkflow`. So no module of workflows/ or
 * domain/ may keep anything at its top level that changes (a cache, a counter, a `let`): every
 * workflow of the thread would see it. The tables they export are frozen here, so a workflow that
 * tried to change one fails its own task instead of changing the others'.
 */
import * as temporalCommon from '@temporalio/common';
import * as temporalWorkflow from '@temporalio/workflow';
import * as workOrderWorkflows from './index';
import * as payloadConverter from './payloadConverter';
import * as actionInput from './actionInput';
import * as lifecycleCore from './lifecycle/core';
import * as messages from './messages';
import * as types from './types';
import * as calendar from '../domain/calendar';
import * as profileRules from '../domain/profileRules';
import * as grades from '../domain/scoring/grades';
import * as sla from '../domain/sla';
import * as stages from '../domain/stages';
import * as storable from '../domain/storable';

/** Frames kept in stack traces inside workflows (V8's default is 10). */
export const WORKFLOW_STACK_TRACE_LIMIT = 6;

Error.stackTraceLimit = WORKFLOW_STACK_TRACE_LIMIT;

/** Modules every workflow of the thread shares (see above; test/workflows/bundle.test.ts). */
export const sharedModules = { temporalCommon, temporalWorkflow, workOrderWorkflows, payloadConverter, calendar, profileRules, grades, sla, stages, storable };

/** Freezes plain objects and arrays, through and through (class instances are left as they are). */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

// The tables of our own shared modules (the SDK's are its own).
for (const module of [calendar, profileRules, grades, sla, stages, storable, actionInput, lifecycleCore, messages, types]) {
  for (const value of Object.values(module)) deepFreeze(value);
}
