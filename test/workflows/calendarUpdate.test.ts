/**
 * Running work orders learn a new year's schedule (issue 10), on the real SDK worker against the
 * project's engine with time skipping: deadlines counted across provisional 2027 are marked
 * provisional; the 2027 notice (test/domain/fixtures/notice-2027.txt) arrives as a
 * `calendarUpdate` and moves exactly the deadlines that depend on 2027 — the old deadline's timer
 * no longer fires, the new one does — with a timeline entry (who, old and new deadline); the
 * histories replay.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { WorkingCalendar } from '../../domain/calendar';
import { buildCalendarData } from '../../domain/holidays';
import { parseHolidayNotice } from '../../domain/notice';
import { bundleWorkOrderWorkflows, createWorker } from '../../worker/createWorker';
import { calendarUpdate, signUpdate, stateQuery, WORKFLOW_TYPE, type CalendarUpdate, type WorkOrderState } from '../../workflows/messages';
import type { workOrderWorkflow } from '../../workflows/workOrder';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { createFakeActivities, timeline, type FakeStore } from './fakeActivities';
import { input as makeInput, unitUser } from './fixtures';

const taskQueue = 'work-orders-calendar-test';
const A = unitUser('unit-a');
const admin = { userId: 'admin-1', role: 'admin' as const };
const calendarData = buildCalendarData({ fromYear: 2026, toYear: 2028 }); // 2027, 2028 provisional
const cal = new WorkingCalendar(calendarData);
const t = (date: string, time: string) => cal.at(date, time).getTime();
const iso = (date: string, time: string) => cal.at(date, time).toISOString();
const notice = parseHolidayNotice(readFileSync(path.join(__dirname, '../domain/fixtures/notice-2027.txt'), 'utf8'));
const update2027: CalendarUpdate = {
  year: 2027,
  holidays: notice.holidays,
  makeUpWorkdays: notice.makeUpWorkdays,
  source: 'notice',
  importId: '2027/1',
  actor: admin,
};

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let worker: Worker;
let running: Promise<void>;
let store: FakeStore;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkOrderWorkflows()]);
  const fakes = createFakeActivities();
  store = fakes.store;
  worker = await createWorker({ connection: env.nativeConnection, taskQueue, activities: fakes.activities, workflowBundle: bundle });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await running;
  }
  await env?.teardown();
});

async function sleepUntil(at: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (at > now) await env.sleep(at - now);
}

async function start(id: string, statutoryWorkingDays: number): Promise<WorkflowHandle<typeof workOrderWorkflow>> {
  const input = { ...makeInput({ id, intake: { statutoryWorkingDays } }), calendar: calendarData };
  return env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: id, args: [input] });
}

const completion = (s: WorkOrderState) => s.clocks.find((c) => c.name === 'completion')!;

test('importing 2027 moves exactly the provisional deadlines that depend on it, at their new instants', async () => {
  await sleepUntil(t('2026-12-28', '10:00'));
  const suffix = Date.now().toString(36);
  const december = await start(`WO-dec-${suffix}`, 7); // the December scenario
  const spring = await start(`WO-spring-${suffix}`, 30); // across 春节 2027
  const short = await start(`WO-short-${suffix}`, 2); // all in 2026
  for (const wo of [december, spring, short]) await wo.executeUpdate(signUpdate, { args: [{ actor: A }] });

  // Provisional: counted across 2027, whose only known days off are the statutory ones.
  const before = await Promise.all([december, spring, short].map((wo) => wo.query(stateQuery)));
  expect(completion(before[0])).toMatchObject({ deadline: iso('2027-01-07', '10:00'), provisional: true }); // 元旦 skipped
  expect(completion(before[1])).toMatchObject({ deadline: iso('2027-02-11', '10:00'), provisional: true }); // 2/5 and 2/8 off
  expect(completion(before[2]).deadline).toBe(iso('2026-12-30', '10:00'));
  expect(completion(before[2]).provisional).toBeUndefined();
  expect(before.map((s) => s.provisional)).toEqual([true, true, false]);

  await sleepUntil(t('2026-12-29', '09:00'));
  const results = await Promise.all(
    [december, spring, short].map((wo) => wo.executeUpdate(calendarUpdate, { args: [update2027], updateId: 'calendar/2027/1' })),
  );
  // Official 2027: Feb 5–12 off, Sunday Jan 31 worked → 30 working days end on Tue Feb 16.
  expect(results.map((r) => r.changes.map((c) => [c.name, c.before, c.after, c.provisional]))).toEqual([
    [],
    [['completion', iso('2027-02-11', '10:00'), iso('2027-02-16', '10:00'), false]],
    [],
  ]);
  // The same import again (a retry) is the same update: applied once.
  await december.executeUpdate(calendarUpdate, { args: [update2027], updateId: 'calendar/2027/1' });

  const after = await Promise.all([december, spring, short].map((wo) => wo.query(stateQuery)));
  expect(completion(after[0])).toMatchObject({ deadline: iso('2027-01-07', '10:00'), provisional: false });
  expect(completion(after[1])).toMatchObject({ deadline: iso('2027-02-16', '10:00'), provisional: false, originalDeadline: iso('2027-02-16', '10:00') });
  expect(completion(after[1]).urgeAt.every((u) => u > iso('2027-02-12', '10:00') && u < iso('2027-02-16', '10:00'))).toBe(true);
  expect(after.map((s) => s.provisional)).toEqual([false, false, false]);
  // Everything else is as it was (the short one was not touched at all).
  const deadlines = (s: WorkOrderState) => s.clocks.map((c) => [c.id, c.deadline, c.urgeAt]);
  expect(deadlines(after[2])).toEqual(deadlines(before[2]));
  expect(completion(after[2])).toEqual(completion(before[2]));
  expect(deadlines(after[1]).filter(([id]) => !String(id).startsWith('completion'))).toEqual(deadlines(before[1]).filter(([id]) => !String(id).startsWith('completion')));

  // The timelines: who imported what, each old and new deadline; nothing for the short one.
  const entries = (id: string) => timeline(store, id).filter((e) => e.type === 'calendarUpdated');
  expect(entries(december.workflowId)).toHaveLength(1);
  expect(entries(spring.workflowId)).toEqual([
    expect.objectContaining({
      actor: admin,
      detail: {
        year: 2027,
        source: 'notice',
        importId: '2027/1',
        changes: [expect.objectContaining({ before: iso('2027-02-11', '10:00'), after: iso('2027-02-16', '10:00') })],
      },
    }),
  ]);
  expect(entries(short.workflowId)).toEqual([]);
  const told = [...store.notifications.values()].filter((n) => n.workOrderId === spring.workflowId && n.kind === 'deadlineChanged');
  expect(told).toHaveLength(1);

  // The old deadline's timer is gone: nothing escalates at Feb 11; the new deadline escalates.
  await sleepUntil(t('2027-02-11', '10:01'));
  expect((await spring.query(stateQuery)).escalations.filter((e) => e.clockId?.startsWith('completion'))).toEqual([]);
  await sleepUntil(t('2027-02-16', '10:01'));
  const missed = (await spring.query(stateQuery)).escalations.filter((e) => e.clockId?.startsWith('completion') && e.kind !== 'urge');
  expect(missed.map((e) => e.dueAt)).toEqual([iso('2027-02-16', '10:00')]);

  // An update without a schedule is refused by the validator, leaving no trace.
  const refused = await december.executeUpdate(calendarUpdate, { args: [{ ...update2027, holidays: ['2027-1-1'] }] }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(((refused as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe('INVALID_INPUT');

  // Replay: the calendar came as an update, recorded in history, so every run replays.
  const histories = await Promise.all([december, spring, short].map(async (wo) => ({ workflowId: wo.workflowId, history: await wo.fetchHistory() })));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
}, 180_000);
