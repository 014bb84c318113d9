/**
 * Sandbox mode: POST /admin/clock/advance moves the engine's manual clock and due timers fire —
 * urges (催办) and escalations (督办) on the working calendar, overdue lists, notifications.
 * The clock starts Monday 2026-03-02 09:00 China time.
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../support/eventually';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ sandbox: true, startAt: new Date('2026-03-02T01:00:00Z') });
}, 120_000);
afterAll(() => t?.stop());


const intake = {
  callerName: '钱七',
  callerPhone: '13600006666',
  summary: '道路井盖缺失',
  category: 'help',
  mainUnitId: 'kf-046',
};

test('advancing is for admins, with a duration named in the error when bad', async () => {
  const bad = await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ by: 'soon' }).expect(400);
  expect(bad.body.issues[0].path).toBe('body.by');
  await request(t.app).post('/admin/clock/advance').set(t.auth('center')).send({ by: '1h' }).expect(403);
});

test('an unsigned work order is urged before and at its sign deadline, then escalated a working day later (001 三(三)); lists and notifications show it', async () => {
  const created = await request(t.app).post('/tickets').set(t.auth('center')).send(intake).expect(201);
  const id = created.body.workOrderId as string;
  const sign = created.body.clocks.find((c: { name: string }) => c.name === 'sign');
  // 1 working day from Monday 09:00 → Tuesday 09:00 (kaifeng-001 profile).
  expect(sign.deadline.slice(0, 16)).toBe('2026-03-03T01:00');

  const before = await request(t.app).get('/tickets?overdue=true').set(t.auth('center')).expect(200);
  expect(before.body.items.map((i: { id: string }) => i.id)).not.toContain(id);

  const advanced = await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ by: '50h' }).expect(200);
  expect(new Date(advanced.body.now).getTime()).toBeGreaterThanOrEqual(new Date('2026-03-04T03:00:00Z').getTime());
  const clock = await request(t.app).get('/admin/clock').set(t.auth({ unit: 'kf-046' })).expect(200);
  expect(clock.body).toMatchObject({ sandbox: true });

  const state = await eventually(
    () => request(t.app).get(`/tickets/${id}`).set(t.auth('supervisor')),
    (r) => r.body.escalations?.some((e: { kind: string }) => e.kind !== 'urge'),
  );
  const kinds = state.body.escalations.map((e: { kind: string }) => e.kind);
  expect(kinds).toContain('urge');
  expect(kinds.some((k: string) => k !== 'urge')).toBe(true);
  expect(state.body.clocks.find((c: { name: string }) => c.name === 'sign').status).toBe('missed');

  const overdue = await eventually(
    () => request(t.app).get('/tickets?overdue=true').set(t.auth({ unit: 'kf-046' })),
    (r) => r.body.items?.some((i: { id: string }) => i.id === id),
  );
  expect(overdue.body.items.find((i: { id: string }) => i.id === id)).toMatchObject({ overdue: true });
  const notes = await eventually(
    () => request(t.app).get(`/notifications?workOrderId=${id}`).set(t.auth({ unit: 'kf-046' })),
    (r) => r.body.items?.some((n: { kind: string }) => n.kind === 'escalation'),
  );
  const noteKinds = notes.body.items.map((n: { kind: string }) => n.kind);
  expect(noteKinds).toEqual(expect.arrayContaining(['newWorkOrder', 'urge', 'escalation']));
  const supervisors = await eventually(
    () => request(t.app).get(`/notifications?workOrderId=${id}`).set(t.auth('supervisor')),
    (r) => r.body.items?.length > 0,
  );
  expect(supervisors.body.items.length).toBeGreaterThan(0);
});

test('dueWithin lists work orders whose next deadline is near', async () => {
  const created = await request(t.app).post('/tickets').set(t.auth('center')).send({ ...intake, summary: '临期测试' }).expect(201);
  const id = created.body.workOrderId as string;
  const soon = await eventually(
    () => request(t.app).get('/tickets?dueWithin=3d').set(t.auth('center')),
    (r) => r.body.items?.some((i: { id: string }) => i.id === id),
  );
  expect(soon.body.items.map((i: { id: string }) => i.id)).toContain(id);
  const tooSoon = await request(t.app).get('/tickets?dueWithin=1m').set(t.auth('center')).expect(200);
  expect(tooSoon.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
});
