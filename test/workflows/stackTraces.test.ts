/**
 * WORKER_STACK_TRACES (worker/tuning.ts, issue 9): `off` (the default) keeps the SDK's
 * per-promise stack-trace hook out of the workflow thread (worker/workflowThreadWithoutStackTraces.js)
 * through the SDK's own switch, so the stack-trace query answers "not enabled"; `on`, the SDK
 * records them as it always did.
 *
 * What broke the earlier attempt (it replaced `v8.promiseHooks.createHook`, which is also how
 * Node's async_hooks install theirs): AsyncLocalStorage lost its store across `await`, so the
 * SDK's cancellation scopes did too, and a work order's second action never answered. Hence a
 * probe of exactly that, and a work order taking many actions in a row, a deadline passing in
 * between (timers and their cancellation scopes), with the setting off.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import workerThreads = require('node:worker_threads');
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { z } from 'zod';
import { bundleWorkOrderWorkflows, createWorker, workflowThreadWithoutStackTraces } from '../../worker/createWorker';
import { workerTuning, workerTuningShape } from '../../worker/tuning';
import { requireOption, sdkWorkflowThreadFile } from '../../worker/workflowThreadPreload';
import {
  callbackUpdate,
  contactUpdate,
  createdStateUpdate,
  replyReviewUpdate,
  replyUpdate,
  signUpdate,
  stateQuery,
  WORKFLOW_TYPE,
} from '../../workflows/messages';
import type { workOrderWorkflow } from '../../workflows/workOrder';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { createFakeActivities, timeline } from './fakeActivities';
import { callback, center, input, reply, unitUser } from './fixtures';

const schema = z.object(workerTuningShape);
const A = unitUser('unit-a');

// A thread that installs the SDK's workflow hooks as its workflow thread does, then reports
// whether the stack-trace hook went in and whether an AsyncLocalStorage store survives `await`
// (what the SDK's CancellationScope stands on).
const probeThread = (vmShared: string) => `
const { parentPort } = require('node:worker_threads');
const { AsyncLocalStorage } = require('node:async_hooks');
const { globalHandlers } = require(${JSON.stringify(vmShared)});
globalHandlers.install();
const als = new AsyncLocalStorage();
als.run('scope', async () => {
  await Promise.resolve();
  const afterAwait = als.getStore();
  parentPort.postMessage(JSON.stringify({ hook: globalHandlers.promiseHookInstalled, afterAwait: afterAwait ?? null }));
});
`;

let dir: string;
let probeFile: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stack-traces-'));
  probeFile = path.join(dir, 'probe-thread.js');
  await writeFile(probeFile, probeThread(path.join(path.dirname(sdkWorkflowThreadFile), 'vm-shared.js')));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runThread(file: string, options?: workerThreads.WorkerOptions): Promise<{ hook: boolean; afterAwait: string | null }> {
  return new Promise((resolve, reject) => {
    const thread = new workerThreads.Worker(file, options);
    thread.once('message', (m) => {
      resolve(JSON.parse(String(m)));
      void thread.terminate();
    });
    thread.once('error', reject);
  });
}

test('the setting defaults to off and parses on/off only', () => {
  expect(workerTuning(schema.parse({})).stackTraces).toBe(false);
  expect(workerTuning(schema.parse({ WORKER_STACK_TRACES: 'on' })).stackTraces).toBe(true);
  expect(schema.safeParse({ WORKER_STACK_TRACES: 'yes' }).success).toBe(false);
});

test('with the preload the SDK installs no stack-trace hook, and AsyncLocalStorage still crosses await', async () => {
  expect(await runThread(probeFile)).toEqual({ hook: true, afterAwait: 'scope' });
  const env = { ...process.env, NODE_OPTIONS: requireOption(workflowThreadWithoutStackTraces) };
  expect(await runThread(probeFile, { env })).toEqual({ hook: false, afterAwait: 'scope' });
});

describe('a worker', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundle;
  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkOrderWorkflows()]);
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function withWorker<T>(setting: 'on' | 'off', run: (taskQueue: string, fakes: ReturnType<typeof createFakeActivities>) => Promise<T>): Promise<T> {
    const fakes = createFakeActivities();
    const taskQueue = `stack-traces-${setting}`;
    const tuning = workerTuning(schema.parse({ WORKER_STACK_TRACES: setting, WORKFLOW_BUNDLE_CACHE: 'off' }));
    const worker = await createWorker({ connection: env.nativeConnection, taskQueue, activities: fakes.activities, workflowBundle, tuning });
    return worker.runUntil(() => run(taskQueue, fakes));
  }

  test('off (the default): a work order takes every action in a row, past a missed deadline, to its close', async () => {
    await withWorker('off', async (taskQueue, { store }) => {
      const wo = input();
      const handle = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: wo.workOrderId, args: [wo] });
      expect((await handle.executeUpdate(createdStateUpdate)).stage).toBe('dispatched');
      // The sign deadline (3 working hours, 004) passes unsigned: urged, then escalated by timers.
      await env.sleep('8 days');
      const overdue = await handle.query(stateQuery);
      expect(overdue.escalations.map((e) => e.kind)).toEqual(expect.arrayContaining(['urge']));
      expect(overdue.escalations.some((e) => e.kind !== 'urge')).toBe(true);
      const signed = await handle.executeUpdate(signUpdate, { args: [{ actor: A }] });
      expect(signed.stage).toBe('handling');
      const contacted = await handle.executeUpdate(contactUpdate, { args: [{ actor: A, reached: true, method: 'phone', person: '李四' }] });
      const contactAt = contacted.timeline.at(-1)!.at;
      expect((await handle.executeUpdate(replyUpdate, { args: [{ actor: A, ...reply(contactAt) } as never] })).stage).toBe('replied');
      expect((await handle.executeUpdate(replyReviewUpdate, { args: [{ actor: center, accepted: true, reason: '合规' }] })).stage).toBe('callback');
      const closed = await handle.executeUpdate(callbackUpdate, { args: [{ actor: center, ...callback('satisfied') } as never] });
      expect(closed.stage).toBe('closed');
      expect(await handle.result()).toMatchObject({ stage: 'closed' });
      // Every answer came after its events were recorded, in order, none lost.
      const types = timeline(store, wo.workOrderId).map((e) => e.type);
      expect(types.slice(0, 2)).toEqual(['created', 'dispatched']);
      expect(types.slice(-6)).toEqual(['signed', 'contactAttempt', 'replied', 'replyAccepted', 'callback', 'closed']);
      expect(types).toEqual(closed.timeline.map((e) => e.type));
    });
  }, 120_000);

  test('off: the stack-trace query says it is not enabled', async () => {
    await withWorker('off', async (taskQueue) => {
      const wo = input();
      const handle = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: wo.workOrderId, args: [wo] });
      await handle.executeUpdate(createdStateUpdate);
      await expect(handle.query('__stack_trace')).rejects.toThrow(/stack traces are not enabled/);
    });
  }, 120_000);

  test('on: the stack-trace query shows where the work order waits', async () => {
    await withWorker('on', async (taskQueue) => {
      const wo = input();
      const handle = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: wo.workOrderId, args: [wo] });
      await handle.executeUpdate(createdStateUpdate);
      expect((await handle.executeUpdate(signUpdate, { args: [{ actor: A }] })).stage).toBe('handling');
      expect(String(await handle.query<string>('__stack_trace'))).toMatch(/workOrder/);
    });
  }, 120_000);
});
