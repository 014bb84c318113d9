/**
 * What the API's logs may carry (issue 15): never a token, a webhook key or a caller's phone,
 * whatever the request (a work order, a token issued, a key set, a search by phone, a refused
 * body); and a request id per HTTP request that the logs of its workflow calls carry too.
 */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 180_000);
afterAll(() => t?.stop());

const phone = '13911112222';

test('a request id per request, in the response and in the logs of its workflow calls', async () => {
  const created = await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .set('X-Request-Id', 'req-0001')
    .send({ callerName: '吴十', callerPhone: phone, summary: '噪音扰民', category: 'complaint', mainUnitId: 'kf-047' })
    .expect(201);
  expect(created.headers['x-request-id']).toBe('req-0001');
  const id = created.body.workOrderId as string;
  const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  const call = lines.find((l) => l.msg === 'workflow call' && l.workflowId === id && l.call === 'start');
  expect(call).toMatchObject({ requestId: 'req-0001' });
  expect(lines.find((l) => l.msg === 'request' && l.path === '/tickets' && l.method === 'POST')).toMatchObject({ requestId: 'req-0001' });

  // No id given (or an unusable one): one is made, different per request.
  const a = await request(t.app).post(`/tickets/${id}/sign`).set(t.auth({ unit: 'kf-047' })).set('X-Request-Id', 'bad id with spaces').send({}).expect(200);
  const b = await request(t.app).get(`/tickets/${id}`).set(t.auth('center')).expect(200);
  expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  const update = t.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'workflow call' && l.call === 'update' && l.workflowId === id);
  expect(update.requestId).toBe(a.headers['x-request-id']);
}, 120_000);

test('no token, webhook key or phone in the logs of a run of API calls', async () => {
  const admin = t.auth('admin');
  await request(t.app).post('/tickets').set(t.auth('center')).send({ callerName: '郑一', callerPhone: '13822223333', summary: '占道经营', category: 'complaint', mainUnitId: 'kf-046' }).expect(201);
  // A refused body that carries a phone, and a search by phone.
  await request(t.app).post('/tickets').set(t.auth('center')).send({ callerName: '郑一', callerPhone: '13822223333', summary: '', category: 'nope' }).expect(400);
  await request(t.app).get('/tickets').query({ text: '13822223333' }).set(t.auth('center')).expect(200);
  const issued = await request(t.app).post('/admin/users/center-1/tokens').set(admin).send({ label: 'laptop' }).expect(201);
  await request(t.app).patch('/admin/units/kf-046').set(admin).send({ webhookUrl: 'http://127.0.0.1:9/hook', webhookSecret: 'whsec-0123456789abcdef' }).expect(200);
  await request(t.app).get('/tickets').set({ Authorization: 'Bearer not-a-real-token-0123456789' }).expect(401);

  const text = t.logs.join('\n');
  expect(t.logs.length).toBeGreaterThan(5);
  for (const secret of [t.tokens.center, t.tokens.admin, t.tokens.units['kf-047'], issued.body.token as string, 'whsec-0123456789abcdef', 'not-a-real-token-0123456789', phone, '13822223333']) {
    expect(text).not.toContain(secret);
  }
}, 120_000);
