/**
 * WORKER_STACK_TRACES (worker/tuning.ts, issue 9): off (the default) keeps the SDK's per-promise
 * stack-trace hook out of the workflow thread (worker/workflowThreadWithoutStackTraces.js), so
 * the `__stack_trace` query shows no stacks; on, the SDK records them as it always did. A work
 * order runs end to end either way.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import workerThreads = require('node:worker_threads');
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { z } from 'zod';
import { bundleWorkOrderWorkflows, createWorker, workflowThreadWithoutStackTraces } from '../../worker/createWorker';
import { workerTuning, workerTuningShape } from '../../worker/tuning';
import { requireOption } from '../../worker/workflowThreadPreload';
import { createdStateUpdate, signUpdate, WORKFLOW_TYPE } from '../../workflows/messages';
import type { workOrderWorkflow } from '../../workflows/workOrder';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { createFakeActivities, timeline } from './fakeActivities';
import { input, unitUser } from './fixtures';

const schema = z.object(workerTuningShape);

// A thread that installs a promise hook as the SDK does and reports how many promises it saw.
const probeThread = `
const { promiseHooks } = require('node:v8');
const { parentPort } = require('node:worker_threads');
let seen = 0;
promiseHooks.createHook({ init: () => { seen++; } });
Promise.resolve().then(() => parentPort.postMessage(String(seen)));
`;

let dir: string;
let probeFile: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stack-traces-'));
  probeFile = path.join(dir, 'probe-thread.js');
  await writeFile(probeFile, probeThread);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runThread(file: string, options?: workerThreads.WorkerOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const thread = new workerThreads.Worker(file, options);
    thread.once('message', (m) => {
      resolve(Number(m));
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

test('with the preload a thread’s promise hook is never installed; without it, it sees every promise', async () => {
  expect(await runThread(probeFile)).toBeGreaterThan(0);
  expect(await runThread(probeFile, { env: { ...process.env, NODE_OPTIONS: requireOption(workflowThreadWithoutStackTraces) } })).toBe(0);
});

describe('a worker', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: Awaited<ReturnType<typeof bundleWorkOrderWorkflows>>;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    workflowBundle = await bundleWorkOrderWorkflows();
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  // The SDK's stack-trace query names where the workflow waits (source-mapped) when recorded.
  async function runWorkOrder(setting: 'on' | 'off'): Promise<string> {
    const fakes = createFakeActivities();
    const taskQueue = `stack-traces-${setting}`;
    const tuning = workerTuning(schema.parse({ WORKER_STACK_TRACES: setting, WORKFLOW_BUNDLE_CACHE: 'off' }));
    const worker = await createWorker({ connection: env.nativeConnection, taskQueue, activities: fakes.activities, workflowBundle, tuning });
    return worker.runUntil(async () => {
      const wo = input();
      const handle = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: wo.workOrderId, args: [wo] });
      expect((await handle.executeUpdate(createdStateUpdate)).stage).toBe('dispatched');
      expect((await handle.executeUpdate(signUpdate, { args: [{ actor: unitUser('unit-a') }] })).stage).toBe('handling');
      expect(timeline(fakes.store, wo.workOrderId).map((e) => e.type)).toEqual(['created', 'dispatched', 'signed']);
      return String(await handle.query<string>('__stack_trace'));
    });
  }

  test('off (the default): a work order runs, and its stack-trace query shows no stacks', async () => {
    expect(await runWorkOrder('off')).not.toMatch(/workOrder/);
  }, 120_000);

  test('on: the stack-trace query shows where the work order waits', async () => {
    expect(await runWorkOrder('on')).toMatch(/workOrder/);
  }, 120_000);
});
