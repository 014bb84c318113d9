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
