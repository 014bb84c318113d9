/**
 * WORKER_DEADLOCK_DETECTION (worker/tuning.ts).
 * - `off`: the workflow thread calls into the sandbox without the `vm` timeout (so without Node's
 *   watchdog thread per call), and only that thread. A work order still runs end to end.
 * - `on` (default): one watchdog per activation (worker/workflowThreadActivationWatchdog.js): a
 *   workflow stuck in an endless loop, in a handler or after a wait, fails its own workflow task
 *   with the SDK's timeout error while other workflows complete; an activation starts one
 *   watchdog, not one per call as the SDK's own (`per-call`) does; and activations queued behind
 *   a busy one share one, a stuck one among them failing alone.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import workerThreads = require('node:worker_threads');
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { bundleWorkOrderWorkflows, createWorker, quietBundlerLogger, workflowThreadActivationWatchdog, workflowThreadWithoutWatchdog } from '../../worker/createWorker';
import { workerTuning, workerTuningShape } from '../../worker/tuning';
import { requireOption, sdkWorkflowThreadFile, withWorkflowThreadPreload } from '../../worker/workflowThreadPreload';
import { z } from 'zod';
import { createdStateUpdate, signUpdate, WORKFLOW_TYPE } from '../../workflows/messages';
import type { workOrderWorkflow } from '../../workflows/workOrder';
import { eventually } from '../support/eventually';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { createFakeActivities, timeline } from './fakeActivities';
import { input, unitUser } from './fixtures';
import { loopSignal, type looping } from './deadlock/looping';

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

test('the setting defaults to one watchdog per activation and parses on/per-call/off only', () => {
  const schema = z.object(workerTuningShape);
  expect(workerTuning(schema.parse({})).deadlockDetection).toBe('activation');
  expect(workerTuning(schema.parse({ WORKER_DEADLOCK_DETECTION: 'on' })).deadlockDetection).toBe('activation');
  expect(workerTuning(schema.parse({ WORKER_DEADLOCK_DETECTION: 'per-call' })).deadlockDetection).toBe('call');
  expect(workerTuning(schema.parse({ WORKER_DEADLOCK_DETECTION: 'off' })).deadlockDetection).toBe('off');
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

// Counts, in the workflow thread, every `vm` call that reaches Node with a timeout (one watchdog
// thread each): required before the watchdog preload, so it sees what that preload passes on.
const countingPreload = `
'use strict';
const { isMainThread } = require('node:worker_threads');
if (!isMainThread && process.env.TIMED_CALLS_FILE) {
  const vm = require('node:vm');
  const { appendFileSync } = require('node:fs');
  const count = (options) => {
    if (options && typeof options === 'object' && options.timeout !== undefined) appendFileSync(process.env.TIMED_CALLS_FILE, 'T');
  };
  for (const name of ['runInContext', 'runInThisContext']) {
    const original = vm.Script.prototype[name];
    vm.Script.prototype[name] = function (...args) {
      count(name === 'runInContext' ? args[1] : args[0]);
      return original.apply(this, args);
    };
  }
  const runInContext = vm.runInContext;
  vm.runInContext = function (code, context, options) {
    count(options);
    return runInContext.call(this, code, context, options);
  };
}
`;

describe('deadlock detection with one watchdog per activation', () => {
  const { EventType } = temporal.api.enums.v1;
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundle;
  let countingFile: string;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./deadlock/looping'), logger: quietBundlerLogger });
    countingFile = path.join(dir, 'counting-preload.js');
    await writeFile(countingFile, countingPreload);
  }, 120_000);
  afterAll(async () => {
    delete process.env.TIMED_CALLS_FILE;
    await env?.teardown();
  });

  /** A worker for `looping` whose workflow thread counts its timed calls into `countFile`, with `preloads` after the counter. */
  async function loopingWorker(taskQueue: string, countFile: string, preloads: string[]): Promise<Worker> {
    process.env.TIMED_CALLS_FILE = countFile;
    await writeFile(countFile, '');
    try {
      return await withWorkflowThreadPreload([countingFile, ...preloads], () =>
        Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle }),
      );
    } finally {
      delete process.env.TIMED_CALLS_FILE;
    }
  }

  const timedCalls = async (file: string) => (await readFile(file, 'utf8')).length;
  // A task queued behind a stuck one waits out its 5 s first: with Temporal's default 10 s task
  // timeout it could time out on a loaded machine before its own watchdog failed it (and a retry
  // after a timeout is not reported as failed). These runs' tasks get 30 s, and the SDK's failure
  // is looked for among a run's failed tasks.
  const taskTimeout = '30s';
  /** The SDK's own failure of a task its watchdog stopped. */
  const sdkTimeout = /Script execution timed out after 5000ms/;
  const timedOut = (failures: string[]) => failures.some((m) => sdkTimeout.test(m));
  const failedTasks = async (workflowId: string) => {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? [])
      .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
      .map((e) => e.workflowTaskFailedEventAttributes?.failure?.message ?? '');
  };

  test('a workflow looping for ever in a handler or after a wait fails its own task; another completes', async () => {
    const taskQueue = 'activation-watchdog';
    const worker = await loopingWorker(taskQueue, path.join(dir, 'timed-loop.txt'), [workflowThreadActivationWatchdog]);
    await worker.runUntil(async () => {
      // One stuck work order at a time: the thread runs one activation at a time, and a task
      // queued behind two stuck ones would wait out both watchdogs before its own.
      for (const how of ['handler', 'afterWait'] as const) {
        const handle = await env.client.workflow.start<typeof looping>('looping', { taskQueue, workflowId: `loop-${how}`, workflowTaskTimeout: taskTimeout });
        await handle.signal(loopSignal, how);
        // The stuck task fails after the SDK's 5 s timeout, with the SDK's own message.
        const failures = await eventually(() => failedTasks(handle.workflowId), timedOut, 60_000);
        expect(failures).toContainEqual(expect.stringMatching(sdkTimeout));
        if (how === 'afterWait') {
          // The thread is not hung (nor the process aborted): another workflow runs to its end
          // while the stuck one's task is retried.
          const brief = await env.client.workflow.start<typeof looping>('looping', { taskQueue, workflowId: 'loop-briefly', workflowTaskTimeout: taskTimeout });
          await brief.signal(loopSignal, 'briefly');
          expect(await brief.result()).toBe('briefly 4999950000');
        }
        await handle.terminate('test over');
      }
    });
  }, 120_000);

  const completedTasks = async (workflowId: string) => {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
  };

  test('activations queued behind a busy one share one watchdog; one stuck among them fails alone', async () => {
    const taskQueue = 'watchdog-queue';
    const file = path.join(dir, 'timed-queue.txt');
    const worker = await loopingWorker(taskQueue, file, [workflowThreadActivationWatchdog]);
    await worker.runUntil(async () => {
      const start = (workflowId: string) => env.client.workflow.start<typeof looping>('looping', { taskQueue, workflowId, workflowTaskTimeout: taskTimeout });
      /** Starts a busy workflow and, while its activation holds the thread, signals `others`. */
      const queueBehindBusy = async (label: string, others: Array<{ id: string; how: 'briefly' | 'handler' }>) => {
        const busy = await start(`queue-${label}-busy`);
        const handles = await Promise.all(others.map((o) => start(`queue-${label}-${o.id}`)));
        // Every one has run its first task and waits for its signal.
        await eventually(() => Promise.all([busy, ...handles].map((h) => completedTasks(h.workflowId))), (n) => n.every((c) => c >= 1), 60_000);
        const before = await timedCalls(file);
        await busy.signal(loopSignal, 'slowly');
        // The busy activation has begun (its timed call is counted as it starts).
        await eventually(() => timedCalls(file), (n) => n > before, 60_000);
        await Promise.all(handles.map((h, i) => h.signal(loopSignal, others[i].how)));
        expect(await busy.result()).toBe('slowly 4999950000');
        return { busy, handles, before };
      };

      // Twenty activations queue up behind the busy one: they go through in a few timed calls.
      const brief = Array.from({ length: 20 }, (_, i) => ({ id: `brief-${i}`, how: 'briefly' as const }));
      const first = await queueBehindBusy('a', brief);
      expect(await Promise.all(first.handles.map((h) => h.result()))).toEqual(brief.map(() => 'briefly 4999950000'));
      const timed = (await timedCalls(file)) - first.before;
      // One for the busy activation, and fewer than one per queued activation for the rest (one
      // each without the sharing: 21). How many fewer depends on how many signals arrived while
      // the busy one ran, which a loaded machine changes (3 when idle).
      expect(timed).toBeLessThan(brief.length);

      // One that loops for ever among five others: it fails its own task after the timeout, with
      // the SDK's message; those queued before and after it complete.
      const mixed = [...['b0', 'b1'].map((id) => ({ id, how: 'briefly' as const })), { id: 'stuck', how: 'handler' as const }, ...['b2', 'b3', 'b4'].map((id) => ({ id, how: 'briefly' as const }))];
      const second = await queueBehindBusy('b', mixed);
      const stuck = second.handles[2];
      const failures = await eventually(() => failedTasks(stuck.workflowId), timedOut, 60_000);
      expect(failures).toContainEqual(expect.stringMatching(sdkTimeout));
      const others = second.handles.filter((h) => h !== stuck);
      expect(await Promise.all(others.map((h) => h.result()))).toEqual(others.map(() => 'briefly 4999950000'));
      await stuck.terminate('test over');
    });
  }, 120_000);

  test('an activation starts one watchdog; the SDK alone starts one per call', async () => {
    const run = async (label: string, preloads: string[]) => {
      const taskQueue = `watchdogs-${label}`;
      const file = path.join(dir, `timed-${label}.txt`);
      const worker = await loopingWorker(taskQueue, file, preloads);
      const workflowId = `watchdogs-${label}`;
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start<typeof looping>('looping', { taskQueue, workflowId });
        await handle.signal(loopSignal, 'briefly');
        expect(await handle.result()).toBe('briefly 4999950000');
      });
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      const tasks = (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
      return { tasks, timed: await timedCalls(file) };
    };
    const perActivation = await run('activation', [workflowThreadActivationWatchdog]);
    const perCall = await run('per-call', []);
    // One per activation (each task one) and one for creating the workflow; the SDK's own several per task.
    expect(perActivation.timed).toBeGreaterThanOrEqual(perActivation.tasks);
    expect(perActivation.timed).toBeLessThanOrEqual(perActivation.tasks + 1);
    expect(perCall.timed).toBeGreaterThanOrEqual(3 * perCall.tasks);
  }, 120_000);
});
