/**
 * WORKER_DEADLOCK_DETECTION=off (worker/tuning.ts): the workflow thread calls into the sandbox
 * without the `vm` timeout (so without Node's watchdog thread per call), and only that thread.
 * On (the default) nothing changes. A work order still runs end to end with it off.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import workerThreads = require('node:worker_threads');
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkOrderWorkflows, createWorker, workflowThreadWithoutWatchdog } from '../../worker/createWorker';
import { workerTuning, workerTuningShape } from '../../worker/tuning';
import { requireOption, sdkWorkflowThreadFile, withWorkflowThreadPreload } from '../../worker/workflowThreadPreload';
import { z } from 'zod';
import { createdStateUpdate, signUpdate, WORKFLOW_TYPE } from '../../workflows/messages';
import type { workOrderWorkflow } from '../../workflows/workOrder';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { createFakeActivities, timeline } from './fakeActivities';
import { input, unitUser } from './fixtures';

// A thread that runs 150 ms of busy code through `vm` with a 20 ms timeout and reports whether
// the timeout struck (what the SDK's deadlock detection does to a workflow stuck for 5 s).
const probeThread = `
const vm = require('node:vm');
const { parentPort } = require('node:worker_threads');
const context = vm.createContext({});
let outcome = 'completed';
try {
  new vm.Script('const until = Date.now() + 150; while (Date.now() < until) {}').runInContext(context, { timeout: 20 });
} catch (error) {
  outcome = error.code;
}
parentPort.postMessage(outcome);
`;

let dir: string;
let probeFile: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'deadlock-detection-'));
  probeFile = path.join(dir, 'probe-thread.js');
  await writeFile(probeFile, probeThread);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runThread(file: string, options?: workerThreads.WorkerOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const thread = new workerThreads.Worker(file, options);
    thread.once('message', (m) => {
      resolve(String(m));
      void thread.terminate();
    });
    thread.once('error', reject);
  });
}

test('the setting defaults to on and parses on/off only', () => {
  const schema = z.object(workerTuningShape);
  expect(workerTuning(schema.parse({})).deadlockDetection).toBe(true);
  expect(workerTuning(schema.parse({ WORKER_DEADLOCK_DETECTION: 'off' })).deadlockDetection).toBe(false);
  expect(schema.safeParse({ WORKER_DEADLOCK_DETECTION: 'no' }).success).toBe(false);
});

test('without the preload a thread’s vm call is stopped by its timeout; with it, it runs to the end', async () => {
  expect(await runThread(probeFile)).toBe('ERR_SCRIPT_EXECUTION_TIMEOUT');
  const env = { ...process.env, NODE_OPTIONS: requireOption(workflowThreadWithoutWatchdog) };
  expect(await runThread(probeFile, { env })).toBe('completed');
});

test('the preload reaches only the named thread, only while the worker is created, and leaves the main thread alone', async () => {
  const Original = workerThreads.Worker;
  const outcomes = await withWorkflowThreadPreload(
    workflowThreadWithoutWatchdog,
    async () => {
      expect(workerThreads.Worker).not.toBe(Original);
      const otherFile = path.join(dir, 'other-thread.js');
      await writeFile(otherFile, probeThread);
      return Promise.all([runThread(probeFile), runThread(otherFile)]);
    },
    probeFile,
  );
  expect(outcomes).toEqual(['completed', 'ERR_SCRIPT_EXECUTION_TIMEOUT']);
  expect(workerThreads.Worker).toBe(Original);
  // Restored after a failed creation too.
  await expect(withWorkflowThreadPreload(workflowThreadWithoutWatchdog, async () => Promise.reject(new Error('boom')), probeFile)).rejects.toThrow('boom');
  expect(workerThreads.Worker).toBe(Original);
  // The main thread's vm keeps its timeout.
  const vm = await import('node:vm');
  expect(() => vm.runInNewContext('const until = Date.now() + 150; while (Date.now() < until) {}', {}, { timeout: 20 })).toThrow(/timed out/);
});

describe('a worker with deadlock detection off', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  test('runs a work order: created, signed, recorded', async () => {
    const fakes = createFakeActivities();
    const taskQueue = 'deadlock-detection-off';
    const schema = z.object(workerTuningShape);
    const tuning = workerTuning(schema.parse({ WORKER_DEADLOCK_DETECTION: 'off', WORKFLOW_BUNDLE_CACHE: 'off' }));
    const workflowBundle = await bundleWorkOrderWorkflows();
    // Record which threads the SDK starts, and with what NODE_OPTIONS.
    const Original = workerThreads.Worker;
    const started: { file: string; nodeOptions?: string }[] = [];
    workerThreads.Worker = class extends Original {
      constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
        started.push({ file: String(filename), nodeOptions: (options?.env as NodeJS.ProcessEnv | undefined)?.NODE_OPTIONS });
        super(filename, options);
      }
    };
    let worker: Awaited<ReturnType<typeof createWorker>>;
    try {
      worker = await createWorker({ connection: env.nativeConnection, taskQueue, activities: fakes.activities, workflowBundle, tuning });
    } finally {
      workerThreads.Worker = Original;
    }
    expect(started).toEqual([{ file: sdkWorkflowThreadFile, nodeOptions: expect.stringContaining(requireOption(workflowThreadWithoutWatchdog)) }]);
    await worker.runUntil(async () => {
      const wo = input();
      const handle = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: wo.workOrderId, args: [wo] });
      const created = await handle.executeUpdate(createdStateUpdate);
      expect(created.stage).toBe('dispatched');
      const signed = await handle.executeUpdate(signUpdate, { args: [{ actor: unitUser('unit-a') }] });
      expect(signed.stage).toBe('handling');
      expect(timeline(fakes.store, wo.workOrderId).map((e) => e.type)).toEqual(['created', 'dispatched', 'signed']);
    });
  }, 120_000);
});
