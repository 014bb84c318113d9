/**
 * What the workflow bundle contains (issue 9): the worker re-runs the bundle's module code for
 * every workflow it loads, so the workflow imports only small pure functions and types. No zod,
 * no SLA profile table, no holiday library, no scoring: those are for the API and activities.
 */
import { bundleWorkOrderWorkflows } from '../../worker/createWorker';

let code: string;
beforeAll(async () => {
  code = (await bundleWorkOrderWorkflows()).code;
}, 120_000);

/** The project modules webpack put in the bundle (its module ids are the paths). */
const projectModules = () => [...new Set([...code.matchAll(/"\.\/((?:domain|workflows|activities|api|worker)\/[\w/.-]+\.ts)"/g)].map((m) => m[1]))].sort();

test('the bundle holds no zod and no schema module', () => {
  expect(code).not.toMatch(/node_modules\/zod\//);
  expect(code).not.toMatch(/from 'zod'|require\("zod"\)/);
});

test('the bundle holds no SLA profile table, holiday data or scoring', () => {
  for (const text of ['lushan-000', 'kaifeng-001', 'city-002', 'nanmatou-003', 'slaProfileSchema', 'node_modules/chinese-days', 'scoringSchemeSchema']) {
    expect([text, code.includes(text)]).toEqual([text, false]);
  }
});

test('the workflow imports only the workflow-safe domain and workflow modules', () => {
  expect(projectModules()).toEqual([
    'domain/calendar.ts',
    'domain/profileRules.ts',
    'domain/scoring/grades.ts', // zod-free satisfaction grades (issue 12)
    'domain/sla.ts',
    'domain/stages.ts',
    'domain/storable.ts', // the text rule, no zod (issue 11)
    'workflows/actionInput.ts',
    'workflows/index.ts',
    'workflows/lifecycle.ts',
    'workflows/lifecycle/calendarUpdate.ts', // the rules, one module per job
    'workflows/lifecycle/core.ts',
    'workflows/lifecycle/escalation.ts',
    'workflows/lifecycle/intake.ts',
    'workflows/lifecycle/readModel.ts',
    'workflows/lifecycle/review.ts',
    'workflows/lifecycle/unitActions.ts',
    'workflows/messages.ts',
    'workflows/payloadConverter.ts', // the SDK's default with native UTF-8 coding (issue 9)
    'workflows/preload.ts', // loaded once per workflow thread (worker/createWorker.ts)
    'workflows/storable.ts',
    'workflows/types.ts',
    'workflows/workOrder.ts',
  ]);
});

test('a new workflow runs none of the bundle’s modules again: they are loaded once per thread and shared (workflows/preload.ts)', async () => {
  // The SDK's reusable context, as the worker's workflow thread runs it (@temporalio/worker 1.24).
  const { ReusableVMWorkflowCreator } = require('@temporalio/worker/lib/workflow/reusable-vm') as {
    ReusableVMWorkflowCreator: {
      create(bundle: { code: string; sourceMap: string }, timeoutMs: number, activities: Set<string>): Promise<{
        context: { __TEMPORAL_ACTIVATOR__?: { moduleCache: Map<string, unknown> } };
        createWorkflow(options: object): Promise<{ dispose(): Promise<void> }>;
        destroy(): Promise<void>;
      }>;
    };
  };
  const creator = await ReusableVMWorkflowCreator.create({ code, sourceMap: JSON.stringify({ version: 3, sources: [], names: [], mappings: '' }) }, 5_000, new Set());
  const workflows: { dispose(): Promise<void> }[] = [];
  try {
    const started = new Date('2027-01-04T01:00:00Z');
    const options = (runId: string) => ({
      info: { workflowId: `wo-${runId}`, runId, firstExecutionRunId: runId, workflowType: 'workOrderWorkflow', taskQueue: 'work-orders', namespace: 'default', attempt: 1, historyLength: 1, historySize: 0, continueAsNewSuggested: false, startTime: started, runStartTime: started, searchAttributes: {}, typedSearchAttributes: [], memo: {}, unsafe: { isReplaying: false, now: Date.now }, priority: {} },
      randomnessSeed: [1, 2],
      now: started.getTime(),
      showStackTraceSources: false,
    });
    for (const runId of ['run-1', 'run-2']) {
      workflows.push(await creator.createWorkflow(options(runId)));
      // What this workflow loaded for itself: only the SDK's empty failure-converter placeholder.
      const own = [...(creator.context.__TEMPORAL_ACTIVATOR__?.moduleCache.keys() ?? [])];
      expect(own.filter((id) => /\.(ts|js)$/.test(id))).toEqual([]);
    }
  } finally {
    for (const w of workflows) await w.dispose();
    await creator.destroy();
  }
});
