/**
 * The work-order workflow on the real SDK worker against the project's engine with time
 * skipping: each rule of issue 4's "How it is shown", then a replay of every recorded history.
 *
 * One environment for the file; its virtual clock only moves forward, so each scenario starts
 * at the next local time it needs (e.g. the next Friday 19:40, Asia/Shanghai) after the last.
 * Activities are in-memory fakes of the same shape (test/activities covers the real ones).
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import type { ProfileId } from '../../domain/profile';
import { bundleWorkOrderWorkflows, createWorker } from '../../worker/createWorker';
import { temporal } from '@temporalio/proto';
import {
  callbackUpdate,
  contactUpdate,
  createdStateUpdate,
  dispatchUpdate,
  instructionUpdate,
  preBriefUpdate,
  extensionRequestUpdate,
  extensionReviewUpdate,
  replyReviewUpdate,
  replyUpdate,
  returnRequestUpdate,
  returnReviewUpdate,
  signUpdate,
  stateQuery,
  superviseUpdate,
  withdrawUpdate,
  WORKFLOW_TYPE,
} from '../../workflows/messages';
import type { WorkOrderInput, WorkOrderState } from '../../workflows/types';
import type { workOrderWorkflow } from '../../workflows/workOrder';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { createFakeActivities, timeline, type FakeStore } from './fakeActivities';
import { calendar, callback, center, input as makeInput, reply, supervisor, unitUser } from './fixtures';

const { EventType } = temporal.api.enums.v1;
const A = unitUser('unit-a');
const B = unitUser('unit-b');
const MINUTE = 60_000;
const taskQueue = 'work-orders-test';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let worker: Worker;
let running: Promise<void>;
let store: FakeStore;
const started: { workflowId: string; runId: string }[] = [];

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

// ---- helpers ---------------------------------------------------------------------------------

/** The next instant after the virtual now that is `weekday` (0 = Sunday) at local `time`. */
async function next(weekday: number, time: string): Promise<number> {
  const now = await env.currentTimeMs();
  for (let day = 0; day < 15; day++) {
    const date = calendar.localDate(now + day * 86_400_000);
    const candidate = calendar.at(date, time).getTime();
    const wd = new Date(candidate + 8 * 3600_000).getUTCDay();
    if (wd === weekday && candidate > now + MINUTE) return candidate;
  }
  throw new Error('no such day');
}

/** Lets virtual time run until `at` (timers due before it fire). */
async function sleepUntil(at: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (at > now) await env.sleep(at - now);
}

/** Local date of an instant plus `days` calendar days. */
const dateOf = (ms: number, days = 0) => calendar.localDate(ms + days * 86_400_000);
const at = (ms: number, days: number, time: string) => calendar.at(dateOf(ms, days), time).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

async function start(profile: ProfileId = 'jingchuan-004', intake: Record<string, unknown> = {}): Promise<WorkflowHandle<typeof workOrderWorkflow>> {
  const input: WorkOrderInput = makeInput({ profile, intake });
  const handle = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: input.workOrderId,
    args: [input],
  });
  started.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
  return handle;
}

/** The refusal type of a failed update, or undefined if it was accepted. */
async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) return (error.cause as { type?: string } | undefined)?.type;
    throw error;
  }
}

const clockOf = (s: WorkOrderState, id: string) => {
  const c = s.clocks.find((x) => x.id === id);
  if (!c) throw new Error(`no clock ${id}`);
  return c;
};

// ---- scenarios -----------------------------------------------------------------------------

describe('work-order workflow on the engine (time skipping)', () => {
  it('a Friday-evening work order: urged Monday 10:30, escalated at 11:30; one signed Monday 09:00 meets its window', async () => {
    const friday = await next(5, '19:40');
    await sleepUntil(friday);
    const late = await start();
    const prompt = await start();
    const monday = at(friday, 3, '00:00');
    const signDeadline = at(monday, 0, '11:30'); // 3 working hours from Mon 08:30 (004)
    expect(clockOf(await late.query(stateQuery), 'sign:unit-a:1').deadline).toBe(iso(signDeadline));

    await sleepUntil(at(monday, 0, '09:00'));
    const signed = await prompt.executeUpdate(signUpdate, { args: [{ actor: A }] });
    expect(clockOf(signed, 'sign:unit-a:1').status).toBe('met');
    expect(signed.stage).toBe('handling');
    await prompt.executeUpdate(contactUpdate, { args: [{ actor: A, reached: true, method: 'phone', person: '李四' }] });

    await sleepUntil(at(monday, 0, '10:29'));
    expect((await late.query(stateQuery)).escalations).toEqual([]);
    await sleepUntil(at(monday, 0, '10:31'));
    const urged = await late.query(stateQuery);
    expect(urged.escalations.map((e) => [e.kind, e.clockId, e.dueAt])).toEqual([
      ['urge', 'sign:unit-a:1', iso(at(monday, 0, '10:30'))],
      ['urge', 'firstContact:unit-a:1', iso(at(monday, 0, '10:30'))],
    ]);
    // Fired at that minute of workflow time, not later.
    for (const e of urged.escalations) expect(Date.parse(e.at) - at(monday, 0, '10:30')).toBeLessThan(MINUTE);

    await sleepUntil(at(monday, 0, '11:31'));
    const escalated = await late.query(stateQuery);
    const supervision = escalated.escalations.filter((e) => e.kind !== 'urge');
    expect(supervision.map((e) => [e.kind, e.clockId, e.dueAt])).toEqual([
      ['supervise', 'sign:unit-a:1', iso(signDeadline)],
      ['coordinationMeeting', 'firstContact:unit-a:1', iso(signDeadline)],
    ]);
    for (const e of supervision) expect(Date.parse(e.at) - signDeadline).toBeLessThan(MINUTE);
    expect(clockOf(escalated, 'sign:unit-a:1').status).toBe('missed');
    // The work order keeps running: the unit can still sign, late.
    const lateSign = await late.executeUpdate(signUpdate, { args: [{ actor: A }] });
    expect(clockOf(lateSign, 'sign:unit-a:1')).toMatchObject({ status: 'missed', lateWorkingMinutes: 1 });
    // The prompt one was never urged.
    expect((await prompt.query(stateQuery)).escalations).toEqual([]);

    // Persisted: contiguous timeline, supervision records, urges addressed to the unit.
    const events = timeline(store, late.workflowId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual(['created', 'dispatched', 'urged', 'urged', 'escalated', 'escalated', 'signed']);
    expect([...store.supervision.values()].filter((s) => s.workOrderId === late.workflowId).map((s) => s.level)).toEqual(['supervise', 'coordinationMeeting']);
    const urges = [...store.notifications.values()].filter((n) => n.workOrderId === late.workflowId && n.kind === 'urge');
    expect(urges.flatMap((n) => n.recipients)).toEqual([
      { audience: 'unit', unitId: 'unit-a' },
      { audience: 'unit', unitId: 'unit-a' },
    ]);
    expect(store.snapshots.get(late.workflowId)?.state.seq).toBe(events.length);
  });

  it('return approved restarts the clocks; rejected keeps the first-dispatch start; too late is refused', async () => {
    const tuesday = await next(2, '09:00');
    await sleepUntil(tuesday);
    const approved = await start();
    const rejected = await start();
    const tooLate = await start();

    await sleepUntil(at(tuesday, 0, '10:00'));
    await approved.executeUpdate(returnRequestUpdate, { args: [{ actor: A, reason: '不属于本单位职责' }] });
    await rejected.executeUpdate(returnRequestUpdate, { args: [{ actor: A, reason: '不属于本单位职责' }] });

    await sleepUntil(at(tuesday, 0, '11:00'));
    const re = await approved.executeUpdate(returnReviewUpdate, {
      args: [{ actor: center, approved: true, nextMainUnitId: 'unit-b', reason: '改派住建局' }],
    });
    expect(re).toMatchObject({ stage: 'dispatched', mainUnitId: 'unit-b', dispatchCount: 2 });
    const restarted = clockOf(re, 'completion:unit-b:2');
    expect(Date.parse(restarted.start) - at(tuesday, 0, '11:00')).toBeLessThan(MINUTE);
    expect(restarted.deadline).toBe(calendar.addWorkingDays(Date.parse(restarted.start), 5).toISOString());
    expect(clockOf(re, 'completion:unit-a:1').status).toBe('cancelled');
    expect(await refusal(approved.executeUpdate(signUpdate, { args: [{ actor: A }] }))).toBe('NOT_ASSIGNED_UNIT');
    expect((await approved.executeUpdate(signUpdate, { args: [{ actor: B }] })).stage).toBe('handling');

    const kept = await rejected.executeUpdate(returnReviewUpdate, { args: [{ actor: center, approved: false, reason: '属于本单位职责' }] });
    expect(kept).toMatchObject({ stage: 'dispatched', mainUnitId: 'unit-a', dispatchCount: 1 });
    const first = clockOf(kept, 'completion:unit-a:1');
    expect(first.status).toBe('pending');
    expect(Date.parse(first.start) - tuesday).toBeLessThan(MINUTE);
    expect(first.deadline).toBe(calendar.addWorkingDays(Date.parse(first.start), 5).toISOString());

    // The return window (1 working day from receipt) closes Wednesday 09:00.
    await sleepUntil(at(tuesday, 1, '09:05'));
    expect(clockOf(await tooLate.query(stateQuery), 'return:unit-a:1').status).toBe('expired');
    expect(await refusal(tooLate.executeUpdate(returnRequestUpdate, { args: [{ actor: A, reason: '不属于本单位职责' }] }))).toBe('RETURN_WINDOW_CLOSED');
    expect(await refusal(rejected.executeUpdate(returnRequestUpdate, { args: [{ actor: A, reason: '再次' }] }))).toBe('RETURN_ALREADY_REJECTED');
  });

  it('one extension allowed, a second refused, one asked too late refused; overdue after it escalates', async () => {
    const tuesday = await next(2, '09:00');
    await sleepUntil(tuesday);
    const wo = await start();
    const late = await start();
    await sleepUntil(at(tuesday, 0, '09:30'));
    for (const h of [wo, late]) {
      await h.executeUpdate(signUpdate, { args: [{ actor: A }] });
      await h.executeUpdate(contactUpdate, { args: [{ actor: A, reached: true, method: 'phone', person: '李四' }] });
    }
    const deadline = Date.parse(clockOf(await wo.query(stateQuery), 'completion:unit-a:1').deadline);

    await sleepUntil(at(tuesday, 2, '10:00')); // Thursday
    await wo.executeUpdate(extensionRequestUpdate, { args: [{ actor: A, workingDays: 3, reason: '需协调多部门' }] });
    const approved = await wo.executeUpdate(extensionReviewUpdate, { args: [{ actor: center, approved: true, reason: '同意' }] });
    const moved = calendar.addWorkingDays(deadline, 3).getTime();
    expect(clockOf(approved, 'completion:unit-a:1')).toMatchObject({ deadline: iso(moved), extended: true });
    expect(await refusal(wo.executeUpdate(extensionRequestUpdate, { args: [{ actor: A, workingDays: 1, reason: '再次延期' }] }))).toBe('EXTENSION_ALREADY_USED');

    // 004: at least 1 working day before the deadline.
    await sleepUntil(calendar.addWorkingHours(deadline, -1).getTime());
    expect(await refusal(late.executeUpdate(extensionRequestUpdate, { args: [{ actor: A, workingDays: 2, reason: '复杂' }] }))).toBe('EXTENSION_TOO_LATE');

    await sleepUntil(moved + MINUTE);
    const overdue = await wo.query(stateQuery);
    expect(overdue.escalations.filter((e) => e.kind !== 'urge').map((e) => [e.trigger, e.dueAt])).toContainEqual(['overdueAfterExtension', iso(moved)]);
    expect(clockOf(overdue, 'completion:unit-a:1').status).toBe('missed');
  });

  it('review sends the reply back; callback unsatisfied → re-handling; then closed, and the workflow ends', async () => {
    const tuesday = await next(2, '09:00');
    await sleepUntil(tuesday);
    const wo = await start();
    await sleepUntil(at(tuesday, 0, '09:20'));
    await wo.executeUpdate(signUpdate, { args: [{ actor: A }] });
    await wo.executeUpdate(contactUpdate, { args: [{ actor: A, reached: true, method: 'phone', person: '李四' }] });
    await sleepUntil(at(tuesday, 1, '10:00'));
    const contactAt = iso(at(tuesday, 0, '09:20'));
    await wo.executeUpdate(replyUpdate, { args: [{ actor: A, ...reply(contactAt) } as never] });
    const back = await wo.executeUpdate(replyReviewUpdate, { args: [{ actor: center, accepted: false, reason: '未附现场照片' }] });
    expect(back.stage).toBe('handling');
    expect(clockOf(back, 'completion:unit-a:1').status).toBe('pending');
    await wo.executeUpdate(replyUpdate, { args: [{ actor: A, ...reply(contactAt) } as never] });
    expect((await wo.executeUpdate(replyReviewUpdate, { args: [{ actor: center, accepted: true, reason: '合规' }] })).stage).toBe('callback');
    const rehandle = await wo.executeUpdate(callbackUpdate, { args: [{ actor: center, ...callback('unsatisfied') } as never] });
    expect(rehandle).toMatchObject({ stage: 'handling', reHandleCount: 1 });
    expect(clockOf(rehandle, 'reHandle:unit-a:1').status).toBe('pending');
    await wo.executeUpdate(replyUpdate, { args: [{ actor: A, ...reply(contactAt) } as never] });
    await wo.executeUpdate(replyReviewUpdate, { args: [{ actor: center, accepted: true, reason: '合规' }] });
    const closed = await wo.executeUpdate(callbackUpdate, { args: [{ actor: center, ...callback('satisfied') } as never] });
    expect(closed.stage).toBe('closed');
    expect(await wo.result()).toMatchObject({ stage: 'closed', workOrderId: wo.workflowId });
    expect(clockOf(closed, 'reHandle:unit-a:1').status).toBe('met');
    expect(clockOf(closed, 'completion:unit-a:1').status).toBe('met');
  });

  it('expert evaluation (002): reminded after 24 hours, auto-withdrawn after 2 working days', async () => {
    const tuesday = await next(2, '09:00');
    await sleepUntil(tuesday);
    const wo = await start('city-002');
    await wo.executeUpdate(signUpdate, { args: [{ actor: A }] });
    const contactAt = iso(tuesday);
    await wo.executeUpdate(replyUpdate, { args: [{ actor: A, ...reply(contactAt) } as never] });
    await wo.executeUpdate(replyReviewUpdate, { args: [{ actor: center, accepted: true, reason: '合规' }] });
    const assigned = await wo.executeUpdate(callbackUpdate, {
      args: [{ actor: center, ...callback('unsatisfied', { requestExpertEvaluation: true }) } as never],
    });
    expect(assigned.stage).toBe('expertEvaluation');
    const e = assigned.expertEvaluations[0];
    const assignedAt = Math.floor(Date.parse(e.assignedAt) / MINUTE) * MINUTE; // windows count from the minute
    expect(Date.parse(e.reminderAt)).toBe(assignedAt + 24 * 3600_000);
    expect(e.deadline).toBe(calendar.addWorkingDays(assignedAt, 2).toISOString());

    await sleepUntil(Date.parse(e.reminderAt) + MINUTE);
    const reminded = await wo.query(stateQuery);
    const reminder = reminded.timeline.find((x) => x.type === 'expertReminder');
    expect(Date.parse(reminder!.at) - Date.parse(e.reminderAt)).toBeLessThan(MINUTE);
    expect(Date.parse(reminder!.at)).toBeGreaterThanOrEqual(Date.parse(e.reminderAt));
    expect([...store.notifications.values()].some((n) => n.workOrderId === wo.workflowId && n.kind === 'expertReminder')).toBe(true);

    await sleepUntil(Date.parse(e.deadline) + MINUTE);
    const withdrawn = await wo.query(stateQuery);
    expect(withdrawn.expertEvaluations[0].status).toBe('autoWithdrawn');
    expect(withdrawn).toMatchObject({ stage: 'handling', reHandleCount: 1 });
  });

  it('withdrawal at an open stage ends the workflow; every later action is refused before that; wrong unit refused', async () => {
    const monday = await next(1, '10:00');
    await sleepUntil(monday);
    const wo = await start('jingchuan-004', { coUnitIds: ['unit-c'] });
    expect(await refusal(wo.executeUpdate(signUpdate, { args: [{ actor: unitUser('unit-z') }] }))).toBe('NOT_ASSIGNED_UNIT');
    expect(await refusal(wo.executeUpdate(signUpdate, { args: [{ actor: center }] }))).toBe('ROLE_NOT_ALLOWED');
    await wo.executeUpdate(signUpdate, { args: [{ actor: unitUser('unit-c') }] });
    expect(await refusal(wo.executeUpdate(replyUpdate, { args: [{ actor: unitUser('unit-c'), ...reply(iso(monday)) } as never] }))).toBe('NOT_MAIN_UNIT');
    expect(await refusal(wo.executeUpdate(extensionRequestUpdate, { args: [{ actor: A, workingDays: 0, reason: 'x' }] }))).toBe('INVALID_INPUT');
    const supervised = await wo.executeUpdate(superviseUpdate, { args: [{ actor: supervisor, reason: '区级督办', trigger: 'cityOrDistrict' }] });
    expect(supervised.escalations).toMatchObject([{ kind: 'supervise', trigger: 'cityOrDistrict', by: 's1' }]);
    const withdrawn = await wo.executeUpdate(withdrawUpdate, { args: [{ actor: center, reason: '市民来电称已解决' }] });
    expect(withdrawn.stage).toBe('withdrawn');
    expect(await wo.result()).toMatchObject({ stage: 'withdrawn', reason: '市民来电称已解决' });
    const records = [...store.supervision.values()].filter((s) => s.workOrderId === wo.workflowId);
    expect(records).toHaveLength(1);
    expect(records[0].closedAt).toBeDefined();
    // A closed workflow still answers the state query.
    expect((await wo.query(stateQuery)).stage).toBe('withdrawn');
  });

  it('pre-briefing (003) and a 批办 instruction come before dispatch', async () => {
    const wednesday = await next(3, '09:00');
    await sleepUntil(wednesday);
    const wo = await start('nanmatou-003', { classification: 'leadership', mainUnitId: undefined });
    expect((await wo.query(stateQuery)).stage).toBe('preBriefing');
    await wo.executeUpdate(preBriefUpdate, { args: [{ actor: center, reached: false }] });
    expect(await refusal(wo.executeUpdate(preBriefUpdate, { args: [{ actor: center, reached: false }] }))).toBe('PRE_BRIEF_ATTEMPT_TOO_SOON');
    expect(await refusal(wo.executeUpdate(dispatchUpdate, { args: [{ actor: center, mainUnitId: 'unit-a', coUnitIds: [] }] }))).toBe('WRONG_STAGE');
    await sleepUntil(at(wednesday, 0, '10:01'));
    const reached = await wo.executeUpdate(preBriefUpdate, { args: [{ actor: center, reached: true, note: '已告知受理情况' }] });
    expect(reached).toMatchObject({ stage: 'awaitingInstruction', preBriefDone: true });
    expect(clockOf(reached, 'preBrief:center:1').status).toBe('met');
    await wo.executeUpdate(instructionUpdate, { args: [{ actor: supervisor, instruction: '请城管牵头, 水务协办' }] });
    const dispatched = await wo.executeUpdate(dispatchUpdate, { args: [{ actor: center, mainUnitId: 'unit-a', coUnitIds: ['unit-b'] }] });
    expect(dispatched).toMatchObject({ stage: 'dispatched', mainUnitId: 'unit-a', coUnitIds: ['unit-b'], instruction: '请城管牵头, 水务协办' });
    // 003: the return window runs from signing; until then it is provisional.
    const signed = await wo.executeUpdate(signUpdate, { args: [{ actor: A }] });
    const signedMinute = Math.floor(Date.parse(signed.units[0].signedAt!) / MINUTE) * MINUTE;
    expect(clockOf(signed, 'return:unit-a:1').deadline).toBe(calendar.addWorkingDays(signedMinute, 1).toISOString());
    const news = [...store.notifications.values()].filter((n) => n.workOrderId === wo.workflowId && n.kind === 'newWorkOrder');
    expect(news.flatMap((n) => n.recipients)).toEqual([
      { audience: 'unit', unitId: 'unit-a' },
      { audience: 'unit', unitId: 'unit-b' },
    ]);
  });

  it('a unit webhook that is down holds up no action; its notification is retried for 24 hours, then given up', async () => {
    const monday = await next(1, '09:00');
    await sleepUntil(monday);
    const input: WorkOrderInput = makeInput();
    store.failNotifications.set(input.workOrderId, 0);
    const wo = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: input.workOrderId, args: [input] });
    started.push({ workflowId: wo.workflowId, runId: wo.firstExecutionRunId });
    expect((await wo.executeUpdate(signUpdate, { args: [{ actor: A }] })).stage).toBe('handling');
    const closed = await wo.executeUpdate(withdrawUpdate, { args: [{ actor: center, reason: '市民撤诉' }] });
    expect(closed.stage).toBe('withdrawn');
    expect(timeline(store, wo.workflowId).map((e) => e.type)).toEqual(['created', 'dispatched', 'signed', 'withdrawRequested', 'withdrawn']);
    // The run ends only once the failing notifications are given up (schedule-to-close 24 h).
    await wo.result();
    const ended = await env.currentTimeMs();
    expect(ended - monday).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(ended - monday).toBeLessThan(26 * 3600_000);
    expect(store.failNotifications.get(wo.workflowId)).toBeGreaterThan(10);
  });

  it('an action is one workflow task: its outbox is a local activity, retried in the task until the database answers', async () => {
    const monday = await next(1, '09:00');
    await sleepUntil(monday);
    const input: WorkOrderInput = makeInput();
    const wo = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: input.workOrderId, args: [input] });
    started.push({ workflowId: wo.workflowId, runId: wo.firstExecutionRunId });
    await wo.executeUpdate(createdStateUpdate); // the intake is recorded
    store.failRecords.set(input.workOrderId, 2); // the database refuses twice
    const calls = store.calls.recordOutbox;
    expect((await wo.executeUpdate(signUpdate, { args: [{ actor: A }] })).stage).toBe('handling');
    // Answered only once recorded: the third attempt wrote the timeline.
    expect(store.calls.recordOutbox - calls).toBe(3);
    expect(timeline(store, wo.workflowId).map((e) => e.type)).toEqual(['created', 'dispatched', 'signed']);
    const events = (await wo.fetchHistory()).events!;
    // The sign's own workflow task: from its scheduling to the end of the history.
    const lastIndex = (type: number, before = events.length) => events.slice(0, before).map((e) => e.eventType).lastIndexOf(type);
    const scheduled = lastIndex(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, lastIndex(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED));
    const count = (type: number) => events.slice(scheduled).filter((e) => e.eventType === type).length;
    // No activity task for the recording; its result is a marker in the action's own workflow task.
    expect(count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toBe(1);
    expect(count(EventType.EVENT_TYPE_MARKER_RECORDED)).toBe(1);
    expect(count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)).toBe(1);
    const activities = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities).not.toContain('recordOutbox'); // (webhooks stay activities: they may retry for a day)
  });

  it('a full history waiting for a retrying notification keeps its clock running, then continues as new', async () => {
    const monday = await next(1, '09:00');
    await sleepUntil(monday);
    // Full after the sign (the outbox is a local activity since issue 9: fewer events per action).
    const input: WorkOrderInput = { ...makeInput(), continueAsNewAfterEvents: 15 };
    store.failNotifications.set(input.workOrderId, 0);
    const wo = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: input.workOrderId, args: [input] });
    started.push({ workflowId: wo.workflowId, runId: wo.firstExecutionRunId });
    await wo.executeUpdate(signUpdate, { args: [{ actor: A }] });
    expect((await wo.describe()).historyLength).toBeGreaterThanOrEqual(15);
    await sleepUntil(at(monday, 0, '12:01')); // first contact (3 working hours) missed at 12:00
    const waiting = await wo.query(stateQuery);
    expect(waiting.run).toBe(1);
    expect(waiting.escalations.filter((e) => e.kind !== 'urge').map((e) => e.clockId)).toEqual(['firstContact:unit-a:1']);
    store.failNotifications.delete(input.workOrderId); // the webhook is back
    await sleepUntil(at(monday, 1, '12:01'));
    const latest = await env.client.workflow.getHandle(wo.workflowId).query(stateQuery);
    expect(latest.run).toBeGreaterThan(1);
    expect(latest.escalations).toEqual(waiting.escalations.concat(latest.escalations.slice(waiting.escalations.length)));
  });

  it('continues as new when the history grows, carrying the state', async () => {
    const tuesday = await next(2, '09:00');
    await sleepUntil(tuesday);
    const input: WorkOrderInput = { ...makeInput(), continueAsNewAfterEvents: 60 };
    const wo = await env.client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue, workflowId: input.workOrderId, args: [input] });
    started.push({ workflowId: wo.workflowId, runId: wo.firstExecutionRunId });
    await wo.executeUpdate(signUpdate, { args: [{ actor: A }] });
    const contactAt = iso(tuesday);
    // Through the workflow id only: after continue-as-new the latest run answers.
    const latest = env.client.workflow.getHandle(wo.workflowId);
    for (let round = 0; round < 6; round++) {
      await latest.executeUpdate(replyUpdate, { args: [{ actor: A, ...reply(contactAt) } as never] });
      await latest.executeUpdate(replyReviewUpdate, { args: [{ actor: center, accepted: true, reason: '合规' }] });
      await latest.executeUpdate(callbackUpdate, { args: [{ actor: center, ...callback('unsatisfied') } as never] });
    }
    const state = await env.client.workflow.getHandle(wo.workflowId).query(stateQuery);
    expect(state.run).toBeGreaterThan(1);
    expect(state.reHandleCount).toBe(6);
    const events = timeline(store, wo.workflowId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(state.seq).toBe(events.length);
    const description = await env.client.workflow.getHandle(wo.workflowId).describe();
    expect(description.runId).not.toBe(wo.firstExecutionRunId);
    const closed = await env.client.workflow
      .getHandle(wo.workflowId)
      .executeUpdate(withdrawUpdate, { args: [{ actor: center, reason: '市民撤诉' }] });
    expect(closed.stage).toBe('withdrawn');
  });

  it('a new worker (empty cache) picks a work order up where the last one stopped and keeps its deadlines', async () => {
    const monday = await next(1, '09:00');
    await sleepUntil(monday);
    const wo = await start();
    await wo.executeUpdate(signUpdate, { args: [{ actor: A }] });
    await sleepUntil(at(monday, 0, '11:55'));
    // The worker goes away and a new one, with an empty cache, takes over. (Virtual time cannot
    // pass with no worker at all: a due workflow task holds time skipping, as in Temporal's
    // own test server.)
    worker.shutdown();
    await running;
    worker = await createWorker({ connection: env.nativeConnection, taskQueue, activities: createFakeActivities().activities, workflowBundle: bundle });
    running = worker.run();
    const before = await wo.query(stateQuery); // answered by replaying the history on the new worker
    const contact = clockOf(before, 'firstContact:unit-a:1');
    expect(contact.deadline).toBe(iso(at(monday, 0, '12:00'))); // 3 working hours, counted from the minute
    expect(before.escalations.map((e) => [e.kind, e.clockId, e.dueAt])).toEqual([['urge', 'firstContact:unit-a:1', contact.urgeAt[0]]]);
    await sleepUntil(at(monday, 0, '12:01'));
    const after = await wo.query(stateQuery);
    expect(after.escalations.filter((e) => e.kind !== 'urge').map((e) => [e.clockId, e.dueAt])).toEqual([['firstContact:unit-a:1', contact.deadline]]);
    const contacted = await wo.executeUpdate(contactUpdate, { args: [{ actor: A, reached: true, method: 'phone', person: '李四' }] });
    // Missed, done at 12:01: lunch (12:00–14:00) is not working time, so 0 working minutes late.
    expect(clockOf(contacted, 'firstContact:unit-a:1')).toMatchObject({ status: 'missed', lateWorkingMinutes: 0 });
  });

  it('every recorded history replays without non-determinism', async () => {
    expect(started.length).toBeGreaterThan(8);
    const histories = [];
    for (const { workflowId, runId } of started) {
      histories.push({ workflowId, history: await env.client.workflow.getHandle(workflowId, runId).fetchHistory() });
      const latest = await env.client.workflow.getHandle(workflowId).describe();
      if (latest.runId !== runId) histories.push({ workflowId, history: await env.client.workflow.getHandle(workflowId, latest.runId).fetchHistory() });
    }
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBeGreaterThan(started.length);
  });
});
