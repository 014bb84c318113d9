/**
 * The OpenAPI fuzz (test/support/openapiFuzz.ts) in a bounded form: every operation, every role
 * and no token, a few requests each. Issue 11: 0 × 5xx, 0 answers slower than 10 s, every 400
 * names a field; and afterwards the service still creates and closes a work order. The full run
 * prints its counts: `npm run bench:fuzz`.
 */
import request from 'supertest';
import { fuzzOpenApi } from '../support/openapiFuzz';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(() => t?.stop());

const unit = { unit: 'kf-010' };

test('fuzzing every operation: no 5xx, no hang, every 400 names a field; then a work order lives from creation to close', async () => {
  const created = await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .send({ callerName: '张三', callerPhone: '13800001111', summary: '模糊测试', category: 'help', mainUnitId: 'kf-010' })
    .expect(201);
  const report = await fuzzOpenApi(t.app, t.auth, {
    perOperation: 2,
    seed: 11,
    known: { workOrderId: created.body.workOrderId, unitId: 'kf-010', userId: 'unit-user-kf-010' },
    roles: ['center', 'supervisor', 'admin', unit],
  });
  expect(report.operations).toBeGreaterThanOrEqual(40);
  expect(report.requests).toBe(report.operations * 5 * 2);
  expect(report.serverErrors).toEqual([]);
  expect(report.hangs).toEqual([]);
  expect(report.unnamed400s).toEqual([]);
  expect(report.byStatus[400]).toBeGreaterThan(50);

  // The service still works: the whole life of a new work order (the fuzz may have changed the
  // profile; put the demo's back first, as an administrator would).
  await request(t.app).put('/admin/profile').set(t.auth('admin')).send({ profileId: 'kaifeng-001' }).expect(200);
  const kf047 = { unit: 'kf-047' };
  await request(t.app).patch('/admin/units/kf-047').set(t.auth('admin')).send({ active: true }).expect(200);
  const res = await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .send({ callerName: '李四', callerPhone: '13900002222', summary: '井盖缺失', category: 'help', mainUnitId: 'kf-047' })
    .expect(201);
  const id = res.body.workOrderId as string;
  const act = (name: string, who: Parameters<TestApp['auth']>[0], body: Record<string, unknown>) =>
    request(t.app).post(`/tickets/${id}/${name}`).set(t.auth(who)).send(body);
  expect((await act('sign', kf047, {})).status).toBe(200);
  expect((await act('contact', kf047, { reached: true, person: '李四' })).status).toBe(200);
  const now = (await request(t.app).get('/admin/clock').set(t.auth('admin')).expect(200)).body.now as string;
  const replied = await act('reply', kf047, {
    resultType: 'resolved',
    firstContactAt: now,
    firstContactPerson: '李四',
    facts: '井盖被盗',
    answer: '已补装',
    answeredAt: now,
  });
  expect(replied.status).toBe(200);
  expect((await act('reply-review', 'center', { accepted: true, reason: '答复规范' })).status).toBe(200);
  const closed = await act('callback', 'center', { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied' });
  expect(closed.status).toBe(200);
  expect(closed.body.stage).toBe('closed');
}, 600_000);
