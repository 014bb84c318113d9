/**
 * Workflow code changes are guarded (issue 15): the work-order workflow replays the histories
 * recorded with earlier releases (test/workflows/replay/histories, made by
 * `npm run record:histories`) without a non-determinism error. A change that would break work
 * orders in flight fails here; gate it with `patched()` (README: changing workflow code).
 * The negative control proves the guard bites: a deliberately incompatible workflow
 * (replay/altered) fails to replay the same histories with the SDK's determinism error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkOrderWorkflows } from '../../worker/createWorker';

const dir = path.join(__dirname, 'replay', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
let bundle: WorkflowBundle;

beforeAll(async () => {
  bundle = await bundleWorkOrderWorkflows();
}, 120_000);

test('there are recorded histories, with timers, updates and activities in them', () => {
  expect(files.length).toBeGreaterThanOrEqual(2);
  const types = new Set(files.flatMap((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')).events as { eventType: string }[]).map((e) => e.eventType)));
  // TIMER_FIRED: a deadline passed and its urge (催办) and escalation (督办) ran.
  for (const type of ['EVENT_TYPE_TIMER_STARTED', 'EVENT_TYPE_TIMER_FIRED', 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED', 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED']) {
    expect([type, types.has(type)]).toEqual([type, true]);
  }
});

test.each(files)('%s replays on the current workflow code', async (file) => {
  const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
  const result = await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, history, file.replace(/\.json$/, ''));
  expect(result).toBeUndefined();
}, 120_000);

test('negative control: an incompatible workflow change fails to replay the recorded histories', async () => {
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error };
  const altered = await bundleWorkflowCode({ workflowsPath: require.resolve('./replay/altered'), logger: quiet });
  // A history with fired timers, and the happy path: each one breaks on the altered code.
  const chosen = [files.find((f) => /urged/i.test(f)), files.find((f) => /closed/i.test(f))];
  expect(chosen.every(Boolean)).toBe(true);
  for (const file of chosen as string[]) {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: altered, replayName: `altered-${file}` }, history, file.replace(/\.json$/, ''))).rejects.toThrow(
      DeterminismViolationError,
    );
  }
}, 300_000);
