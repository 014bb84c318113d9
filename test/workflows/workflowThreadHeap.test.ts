/**
 * WORKER_WORKFLOW_THREAD_HEAP_MB (worker/tuning.ts): the old-generation heap limit of the SDK's
 * workflow thread(s), and of no other thread; `auto` (default) sizes it from the cache, 0 leaves V8's own limit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import workerThreads = require('node:worker_threads');
import { z } from 'zod';
import { workerTuning, workerTuningShape } from '../../worker/tuning';
import { withWorkflowThreadPreload } from '../../worker/workflowThreadPreload';

// Reports the thread's own resource limits.
const probeThread = `
const { parentPort, resourceLimits } = require('node:worker_threads');
parentPort.postMessage(JSON.stringify(resourceLimits));
`;

let dir: string;
let probeFile: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'workflow-thread-heap-'));
  probeFile = path.join(dir, 'probe-thread.js');
  await writeFile(probeFile, probeThread);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function limitsOf(file: string): Promise<workerThreads.ResourceLimits> {
  return new Promise((resolve, reject) => {
    const thread = new workerThreads.Worker(file);
    thread.once('message', (m) => {
      resolve(JSON.parse(String(m)) as workerThreads.ResourceLimits);
      void thread.terminate();
    });
    thread.once('error', reject);
  });
}

test('the setting defaults to a limit sized from the cache, 0 leaves V8\'s own, and takes whole MiB', () => {
  const schema = z.object(workerTuningShape);
  expect(workerTuning(schema.parse({})).workflowThreadHeapMb).toBe(295);
  expect(workerTuning(schema.parse({ WORKER_MAX_CACHED_WORKFLOWS: '4000' })).workflowThreadHeapMb).toBe(462);
  expect(workerTuning(schema.parse({ WORKER_WORKFLOW_THREAD_HEAP_MB: 'auto', WORKER_MAX_CACHED_WORKFLOWS: '100' })).workflowThreadHeapMb).toBe(137);
  expect(workerTuning(schema.parse({ WORKER_WORKFLOW_THREAD_HEAP_MB: '0' })).workflowThreadHeapMb).toBeUndefined();
  expect(workerTuning(schema.parse({ WORKER_WORKFLOW_THREAD_HEAP_MB: '384' })).workflowThreadHeapMb).toBe(384);
  expect(schema.safeParse({ WORKER_WORKFLOW_THREAD_HEAP_MB: '-1' }).success).toBe(false);
  expect(schema.safeParse({ WORKER_WORKFLOW_THREAD_HEAP_MB: 'lots' }).success).toBe(false);
});

test('the limit reaches only the workflow thread, only while the worker is created', async () => {
  const otherFile = path.join(dir, 'other-thread.js');
  await writeFile(otherFile, probeThread);
  const unlimited = (await limitsOf(probeFile)).maxOldGenerationSizeMb;
  const [workflowThread, other] = await withWorkflowThreadPreload([], () => Promise.all([limitsOf(probeFile), limitsOf(otherFile)]), probeFile, { maxOldGenerationSizeMb: 96 });
  expect(workflowThread.maxOldGenerationSizeMb).toBe(96);
  expect(other.maxOldGenerationSizeMb).toBe(unlimited);
  expect(unlimited).not.toBe(96);
  // After the creation, threads start as before.
  expect((await limitsOf(probeFile)).maxOldGenerationSizeMb).toBe(unlimited);
});
