/**
 * Caller data encrypted at rest in Temporal (issue 15): a work order's history read back through
 * the engine's raw gRPC API (GetWorkflowExecutionHistory) holds no caller name or phone in clear,
 * while the API shows them decoded; the codec endpoint decodes for administrators only and
 * answers the Temporal web UI's CORS preflight.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

let t: TestApp;
let connection: Connection;
beforeAll(async () => {
  t = await startTestApp();
  connection = await Connection.connect({ address: t.engine!.address });
}, 180_000);
afterAll(async () => {
  await connection?.close();
  await t?.stop();
});

const caller = { callerName: '钱七', callerPhone: '13600006666' };

test('the history holds ciphertext; the API shows the caller decoded', async () => {
  const created = await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .send({ ...caller, summary: '楼上漏水', category: 'complaint', mainUnitId: 'kf-047' })
    .expect(201);
  const id = created.body.workOrderId as string;
  await request(t.app).post(`/tickets/${id}/contact`).set(t.auth({ unit: 'kf-047' })).send({ reached: true, person: caller.callerName }).expect((r) => {
    if (r.status >= 500) throw new Error(`contact: ${r.status}`);
  });
  const shown = await request(t.app).get(`/tickets/${id}`).set(t.auth('center')).expect(200);
  expect(JSON.stringify(shown.body)).toContain(caller.callerPhone);
  expect(JSON.stringify(shown.body)).toContain(caller.callerName);

  const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: id } });
  const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
  expect(history!.events!.length).toBeGreaterThan(3);
  expect(raw.includes(Buffer.from(caller.callerPhone))).toBe(false);
  expect(raw.includes(Buffer.from(caller.callerName))).toBe(false);
  expect(raw.includes(Buffer.from('楼上漏水'))).toBe(false);
  const input = history!.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');

  // The codec endpoint, as the web UI calls it, decodes for an administrator.
  const wire = { payloads: [{ metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(input.data!).toString('base64') }] };
  const decoded = await request(t.app).post('/codec/decode').set(t.auth('admin')).set('X-Namespace', 'default').send(wire).expect(200);
  const plain = Buffer.from(decoded.body.payloads[0].data, 'base64').toString('utf8');
  expect(plain).toContain(caller.callerPhone);
  expect(Buffer.from(decoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
  // ... and encodes back to something it can decode again.
  const encoded = await request(t.app).post('/codec/encode').set(t.auth('admin')).send(decoded.body).expect(200);
  expect(Buffer.from(encoded.body.payloads[0].data, 'base64').includes(Buffer.from(caller.callerPhone))).toBe(false);
  const round = await request(t.app).post('/codec/decode').set(t.auth('admin')).send(encoded.body).expect(200);
  expect(round.body).toEqual(decoded.body);

  // Nobody else: no token 401, the center 403.
  await request(t.app).post('/codec/decode').send(wire).expect(401);
  await request(t.app).post('/codec/decode').set(t.auth('center')).send(wire).expect(403);
  await request(t.app).post('/codec/decode').set(t.auth('admin')).send({ payloads: 'x' }).expect(400);
}, 120_000);

test('CORS: the web UI origin gets its preflight answered, others do not', async () => {
  const ok = await request(t.app)
    .options('/codec/decode')
    .set('Origin', 'http://localhost:8080')
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type,x-namespace')
    .expect(204);
  expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:8080');
  expect(ok.headers['access-control-allow-headers']).toMatch(/Authorization/);
  expect(ok.headers['access-control-allow-credentials']).toBe('true');
  const evil = await request(t.app).options('/codec/decode').set('Origin', 'http://evil.example').set('Access-Control-Request-Method', 'POST').expect(403);
  expect(evil.headers['access-control-allow-origin']).toBeUndefined();
});
