/**
 * When no worker answers or the engine is gone, a request ends within the API's deadline with
 * 503 (try again), never hangs and never answers 500.
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: false, workflowTimeoutMs: 1500 });
}, 120_000);
afterAll(() => t?.stop());

const intake = { callerName: '吴十', callerPhone: '13200004444', summary: '无人处理测试', category: 'help' };

test('no worker: creating a work order answers 503 within the deadline', async () => {
  const started = Date.now();
  const res = await request(t.app).post('/tickets').set(t.auth('center')).set('Idempotency-Key', 'k-503').send(intake);
  expect(res.status).toBe(503);
  expect(res.body.type).toBe('WORKFLOW_UNAVAILABLE');
  // Started but not answering: the 503 says the work order exists, its number, and the key (issue 11).
  expect(res.body).toMatchObject({ applied: true, workOrderId: expect.stringMatching(/^\d{14}$/), idempotencyKey: 'k-503' });
  expect(Date.now() - started).toBeLessThan(10_000);
  // The retry with the same key finds the same (started) work order, still unanswered: 503 again.
  const again = await request(t.app).post('/tickets').set(t.auth('center')).set('Idempotency-Key', 'k-503').send(intake);
  expect(again.status).toBe(503);
  const { rows } = await t.db.pool.query('SELECT count(*)::int AS n FROM idempotency_keys');
  expect(rows[0].n).toBe(1);
});

test('no worker: a creation without a key gets a key of the API in its 503, and the retry with it creates nothing new', async () => {
  const res = await request(t.app).post('/tickets').set(t.auth('center')).send({ ...intake, summary: '无键创建' });
  expect(res.status).toBe(503);
  expect(res.body).toMatchObject({ applied: true, idempotencyKey: expect.stringMatching(/^auto-/) });
  const again = await request(t.app).post('/tickets').set(t.auth('center')).set('Idempotency-Key', res.body.idempotencyKey).send({ ...intake, summary: '无键创建' });
  expect(again.status).toBe(503);
  expect(again.body.workOrderId).toBe(res.body.workOrderId);
  const { rows } = await t.db.pool.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE work_order_id = $1', [res.body.workOrderId]);
  expect(rows[0].n).toBe(1);
});

test('no worker: an action answers 503', async () => {
  const { rows } = await t.db.pool.query<{ work_order_id: string }>('SELECT work_order_id FROM idempotency_keys');
  const res = await request(t.app).post(`/tickets/${rows[0].work_order_id}/withdraw`).set(t.auth('center')).send({ reason: '撤单' });
  expect(res.status).toBe(503);
  // Not taken: says so, and names the key a retry must carry to stay one update (issue 11).
  expect(res.body).toMatchObject({ type: 'WORKFLOW_UNAVAILABLE', applied: false, idempotencyKey: expect.any(String) });
  const keyed = await request(t.app)
    .post(`/tickets/${rows[0].work_order_id}/withdraw`)
    .set(t.auth('center'))
    .set('Idempotency-Key', 'withdraw-1')
    .send({ reason: '撤单' });
  expect(keyed.body).toMatchObject({ applied: false, idempotencyKey: 'withdraw-1' });
});

test('the engine gone: 503, not 500', async () => {
  await t.engine!.stop();
  const res = await request(t.app).get('/tickets/20260302000001').set(t.auth('center'));
  expect(res.status).toBe(503);
  expect(['WORKFLOW_UNAVAILABLE', 'ENGINE_UNAVAILABLE']).toContain(res.body.type);
});
