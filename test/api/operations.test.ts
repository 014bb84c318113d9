/**
 * /livez, /readyz and /metrics (issue 15): readiness follows the worker — unready when it stops,
 * ready when it is back — both for a process that runs the worker itself and for an API-only
 * process that asks Temporal for the task queue's pollers; /metrics is for administrators, parses
 * as Prometheus text and moves with traffic.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Express } from 'express';
import request from 'supertest';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { ensureSettings } from '../../api/hotline/repository';
import { createLogger } from '../../api/logger';
import { demoTokens, seedDemo } from '../../db/seed/demo';
import { startEngine, type EngineHandle } from '../../engine';
import { bundleWorkOrderWorkflows, createWorker } from '../../worker/createWorker';
import { eventually } from '../support/eventually';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

const tokens = demoTokens('ops-secret');
/** The engine lists a poller this long after its last poll (Temporal: 5 minutes); short, so the test need not wait a minute. */
const POLLER_HISTORY_MS = 5_000;
let db: TestPostgres;
let engine: EngineHandle;
let bundle: WorkflowBundle;
let native: NativeConnection;
let connection: Connection;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
let withWorker: Express;
let apiOnly: Express;

async function runWorker(): Promise<void> {
  worker = await createWorker({ connection: native, workflowBundle: bundle, activities: createActivities({ pool: db.pool }) });
  running = worker.run();
}
async function stopWorker(): Promise<void> {
  worker?.shutdown();
  await running?.catch(() => undefined);
}

beforeAll(async () => {
  [db, engine, bundle] = await Promise.all([startTestPostgres(), startEngine({ clock: 'real', onError: () => undefined, pollerHistoryMs: POLLER_HISTORY_MS }), bundleWorkOrderWorkflows()]);
  await ensureSettings(db.pool, 'kaifeng-001');
  await seedDemo(db.pool, 'ops-secret');
  native = await NativeConnection.connect({ address: engine.address });
  connection = await Connection.connect({ address: engine.address });
  const temporal = new Client({ connection });
  const logger = createLogger('silent');
  const base = { temporal, pool: db.pool, clock: null, config: { sandbox: false }, logger };
  withWorker = createApp({ ...base, ops: { localWorker: () => worker?.getState() === 'RUNNING' } });
  apiOnly = createApp(base);
  await runWorker();
}, 180_000);

afterAll(async () => {
  await stopWorker();
  await native?.close();
  await connection?.close();
  await engine?.stop();
  await db?.stop();
});

const readyz = (app: Express) => request(app).get('/readyz');

test('/livez answers; /readyz follows the worker away and back', async () => {
  await request(apiOnly).get('/livez').expect(200, { ok: true });
  const local = await readyz(withWorker);
  expect(local.status).toBe(200);
  expect(local.body).toMatchObject({ ready: true, checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: true } } });
  // The calendar's coverage is reported (degraded near its edge) without taking the service out of rotation.
  expect(local.body.checks.calendar).toMatchObject({ ok: true });
  expect(local.body.checks.calendar.detail).toMatch(/^(ok|degraded): \S/);
  expect((await eventually(() => readyz(apiOnly), (r) => r.status === 200, 30_000)).status).toBe(200);

  await stopWorker();
  const stopped = await readyz(withWorker);
  expect(stopped.status).toBe(503);
  expect(stopped.body.checks.worker).toMatchObject({ ok: false });
  expect(stopped.body.checks.database).toEqual({ ok: true });
  // Temporal forgets a poller only after a while (Temporal: 5 minutes; this engine: POLLER_HISTORY_MS
  // without a poll), so the API without the worker still says ready until then.
  const remote = await eventually(() => readyz(apiOnly), (r) => r.status === 503, 60_000);
  expect(remote.status).toBe(503);
  expect(remote.body.checks.worker.detail).toContain('work-orders');

  await runWorker();
  expect((await readyz(withWorker)).status).toBe(200);
  expect((await eventually(() => readyz(apiOnly), (r) => r.status === 200, 30_000)).status).toBe(200);
}, 240_000);

/** Parses the Prometheus text format strictly enough to catch a malformed line. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (-?[0-9.eE+-]+|NaN|[+-]Inf)( \d+)?$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    samples.set(match[1], Number(match[2]));
  }
  return samples;
}

test('/metrics: administrators only, Prometheus text, counters move with traffic', async () => {
  const admin = { Authorization: `Bearer ${tokens.admin}` };
  await request(apiOnly).get('/metrics').expect(401);
  await request(apiOnly).get('/metrics').set({ Authorization: `Bearer ${tokens.center}` }).expect(403);
  const scrape = async () => {
    const res = await request(apiOnly).get('/metrics').set(admin).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return parsePrometheus(res.text);
  };
  const before = await scrape();
  const listKey = 'hotline_http_requests_total{method="GET",route="/tickets",status="200"}';
  const created = await request(apiOnly)
    .post('/tickets')
    .set({ Authorization: `Bearer ${tokens.center}` })
    .send({ callerName: '周九', callerPhone: '13300003333', summary: '路面塌陷', category: 'help', mainUnitId: 'kf-003' })
    .expect(201);
  await request(apiOnly).get('/tickets').set({ Authorization: `Bearer ${tokens.center}` }).expect(200);
  await request(apiOnly).get('/tickets').set({ Authorization: `Bearer ${tokens.center}` }).expect(200);
  // The read model is written by the worker's activity shortly after the workflow moves.
  const after = await eventually(scrape, (m) => [...m.keys()].some((k) => k.startsWith('hotline_work_orders{')));
  expect((after.get(listKey) ?? 0) - (before.get(listKey) ?? 0)).toBe(2);
  expect(after.get('hotline_http_requests_total{method="POST",route="/tickets",status="201"}')).toBe(1);
  expect(after.get('hotline_http_request_duration_seconds_count{method="POST",route="/tickets",status="201"}')).toBe(1);
  const stages = [...after.entries()].filter(([k]) => k.startsWith('hotline_work_orders{'));
  expect(stages.reduce((sum, [, n]) => sum + n, 0)).toBe(1);
  expect(created.body.workOrderId).toBeDefined();
  // The dispatched work order's sign deadline is hours away, not within the hour.
  expect(after.get('hotline_deadlines_due_next_hour')).toBe(0);
  expect(after.get('hotline_escalations_fired{kind="urged"}')).toBe(0);
  expect(after.get('hotline_webhook_notifications{status="failed"}')).toBe(0);
  // Ids never become labels: a request for one work order counts under its route's pattern.
  await request(apiOnly).get(`/tickets/${created.body.workOrderId}`).set({ Authorization: `Bearer ${tokens.center}` });
  const last = await scrape();
  expect([...last.keys()].some((k) => k.includes(created.body.workOrderId))).toBe(false);
  expect([...last.keys()].some((k) => k.includes('route="/tickets/:id"'))).toBe(true);
}, 120_000);

test('the OpenAPI document describes /livez, /readyz, /metrics and the signed unit webhook', async () => {
  const doc = (await request(apiOnly).get('/openapi.json').expect(200)).body;
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/livez', '/readyz', '/metrics']));
  expect(Object.keys(doc.paths['/readyz'].get.responses)).toEqual(expect.arrayContaining(['200', '503']));
  const hook = doc.webhooks.notification.post;
  expect(hook.parameters.filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
  expect(hook.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['id', 'kind', 'workOrderId', 'unitId', 'at', 'payload']));
});
