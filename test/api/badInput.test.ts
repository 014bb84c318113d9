/**
 * Issue 11, end to end (the real app, worker, engine and PostgreSQL): bad input never wedges a
 * work order, loses one or answers 500. Every example of the issue: NUL and lone surrogates in
 * action and intake text, admin text, dates PostgreSQL cannot hold, integer overflow, undecodable
 * paths, a gzip header without a token; a deactivated unit's users; webhook URLs; and the
 * defence inside: a NUL that reaches a workflow anyway is recorded (repaired) and the work order
 * keeps moving.
 */
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../api/logger';
import { workOrderActions, type WorkOrderActionName } from '../../api/tickets/actions';
import { signUpdate } from '../../workflows/messages';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../support/eventually';

let t: TestApp;
let temporal: Client;
beforeAll(async () => {
  t = await startTestApp();
  // The app's client: it carries the payload codec the worker expects (issue 15).
  temporal = t.temporal;
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const intake = (over: Record<string, unknown> = {}) => ({
  callerName: '张三',
  callerPhone: '13800001111',
  summary: '路灯不亮',
  category: 'complaint',
  mainUnitId: 'kf-047',
  ...over,
});

/** A 400 whose issues name `field` as bad characters. */
function expectNamed(res: request.Response, field: string): void {
  expect(res.status).toBe(400);
  expect(res.body.type).toBe('INVALID_INPUT');
  expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(field);
}

async function create(over: Record<string, unknown> = {}): Promise<string> {
  const res = await request(t.app).post('/tickets').set(t.auth('center')).send(intake(over));
  expect(res.status).toBe(201);
  return res.body.workOrderId;
}

async function listRow(id: string): Promise<{ stage: string } | undefined> {
  const res = await request(t.app).get('/tickets').query({ pageSize: 200 }).set(t.auth('center')).expect(200);
  return res.body.items.find((i: { id: string }) => i.id === id);
}

describe('text that cannot be stored is refused at the boundary, naming the field', () => {
  test('every action route refuses NUL and lone surrogates; the work order stays live and its list row current', async () => {
    const id = await create();
    // Every text field any action takes, with a NUL; each route must name one of its own.
    const bad = 'a\u0000b';
    const textFields = ['note', 'instruction', 'reason', 'person', 'firstContactPerson', 'facts', 'answer'];
    for (const name of Object.keys(workOrderActions) as WorkOrderActionName[]) {
      const roles: readonly string[] = workOrderActions[name].roles;
      // The expert ruling is the evaluator's (002 三(一)); every other action the center's or the unit's.
      const who = roles.includes('unit') ? { unit: 'kf-047' } : roles.includes('center') ? 'center' : 'evaluator';
      const body = Object.fromEntries(textFields.map((f) => [f, bad]));
      const res = await request(t.app).post(`/tickets/${id}/${name}`).set(t.auth(who as never)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.issues.some((i: { code: string; path: string }) => i.code === 'invalid_characters' && i.path.startsWith('body.'))).toBe(true);
    }
    expectNamed(await request(t.app).post(`/tickets/${id}/supervise`).set(t.auth('center')).send({ reason: 'a\u0000b' }), 'body.reason');
    expectNamed(await request(t.app).post(`/tickets/${id}/sign`).set(t.auth({ unit: 'kf-047' })).send({ note: 'a\ud800b' }), 'body.note');
    expectNamed(await request(t.app).post(`/tickets/${id}/sign`).set(t.auth({ unit: 'kf-047' })).send({ note: 'bell\u0007' }), 'body.note');
    // The work order answers at once and its read model follows.
    const signed = await request(t.app).post(`/tickets/${id}/sign`).set(t.auth({ unit: 'kf-047' })).send({ note: '已签收\n第二行' });
    expect(signed.status).toBe(200);
    expect((await eventually(() => listRow(id), (r) => r?.stage === 'handling'))?.stage).toBe('handling');
    const supervised = await request(t.app).post(`/tickets/${id}/supervise`).set(t.auth('center')).send({ reason: '群众反映强烈' });
    expect(supervised.status).toBe(200);
    const events = await request(t.app).get(`/tickets/${id}/events`).set(t.auth('center')).expect(200);
    expect(events.body.items.length).toBeGreaterThanOrEqual(3);
  });

  test.each(['callerName', 'summary', 'address', 'immediateAnswer'])('intake %s with NUL or a lone surrogate: 400, no work order', async (field) => {
    const before = await t.db.pool.query('SELECT count(*)::int AS n FROM work_orders');
    expectNamed(await request(t.app).post('/tickets').set(t.auth('center')).send(intake({ [field]: 'x\u0000y' })), `body.${field}`);
    expectNamed(await request(t.app).post('/tickets').set(t.auth('center')).send(intake({ [field]: 'x\udc00y' })), `body.${field}`);
    const after = await t.db.pool.query('SELECT count(*)::int AS n FROM work_orders');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  test('admin text fields: 400 naming the field, and nothing changed or audited', async () => {
    const audits = async () => (await t.db.pool.query('SELECT count(*)::int AS n FROM admin_audit')).rows[0].n as number;
    const before = await audits();
    const admin = t.auth('admin');
    expectNamed(await request(t.app).post('/admin/units').set(admin).send({ id: 'kf-300', name: '单位\u0000', kind: 'level1' }), 'body.name');
    expectNamed(
      await request(t.app).post('/admin/units').set(admin).send({ id: 'kf-300', name: '单位', kind: 'level1', supervisingDepartment: '\ud800' }),
      'body.supervisingDepartment',
    );
    expectNamed(await request(t.app).patch('/admin/units/kf-047').set(admin).send({ name: 'a\u0000' }), 'body.name');
    expectNamed(await request(t.app).patch('/admin/units/kf-047').set(admin).send({ supervisingDepartment: 'a\u0000' }), 'body.supervisingDepartment');
    expectNamed(await request(t.app).post('/admin/users').set(admin).send({ id: 'u-300', name: 'a\u0000', role: 'center' }), 'body.name');
    expectNamed(await request(t.app).post('/admin/users/center-1/tokens').set(admin).send({ label: 'a\u0000' }), 'body.label');
    expectNamed(await request(t.app).put('/admin/calendar/exceptions/2027-01-01').set(admin).send({ kind: 'holiday', note: 'a\u0000' }), 'body.note');
    expect(await audits()).toBe(before);
    const unit = await t.db.pool.query("SELECT name FROM units WHERE id = 'kf-047'");
    expect(unit.rows[0].name).not.toContain('\u0000');
    expect((await t.db.pool.query("SELECT 1 FROM units WHERE id = 'kf-300'")).rowCount).toBe(0);
  });
});

describe('dates, integers and every query parameter', () => {
  test.each([
    ['/tickets?createdFrom=0000-01-01T00:00:00Z', 'query.createdFrom'],
    ['/tickets?createdTo=2026-03-01T00:00:00%2B16:00', 'query.createdTo'],
    ['/tickets?createdFrom=0000-01-01', 'query.createdFrom'],
    ['/tickets?text=%00', 'query.text'],
    ['/tickets/20260302000001/events?afterSeq=2147483648', 'query.afterSeq'],
    ['/tickets/20260302000001/events?afterSeq=1e400', 'query.afterSeq'],
  ])('GET %s → 400 naming %s', async (url, field) => {
    expectNamed(await request(t.app).get(url).set(t.auth('center')), field);
  });

  test('notifications: since out of range, an id with NUL', async () => {
    expectNamed(await request(t.app).get('/notifications?since=0000-01-01T00:00:00Z').set(t.auth('center')), 'query.since');
    expectNamed(await request(t.app).get('/notifications?since=2026-01-01T00:00:00-15:59').set(t.auth('center')), 'query.since');
    expectNamed(await request(t.app).post('/notifications/%00/read').set(t.auth('center')), 'params.id');
  });

  test('calendar exception dates PostgreSQL cannot hold', async () => {
    expectNamed(await request(t.app).put('/admin/calendar/exceptions/0000-01-01').set(t.auth('admin')).send({ kind: 'holiday' }), 'params.date');
    expectNamed(await request(t.app).delete('/admin/calendar/exceptions/0000-01-01').set(t.auth('admin')), 'params.date');
  });

  test('a reply with a year-0 or +23:00 date is refused, both fields named', async () => {
    const id = await create();
    await request(t.app).post(`/tickets/${id}/sign`).set(t.auth({ unit: 'kf-047' })).send({}).expect(200);
    const reply = {
      resultType: 'resolved',
      firstContactAt: '0000-03-02T02:00:00Z',
      firstContactPerson: '王五',
      facts: '故障',
      answer: '已修复',
      answeredAt: '2026-03-02T03:00:00+23:00',
    };
    const res = await request(t.app).post(`/tickets/${id}/reply`).set(t.auth({ unit: 'kf-047' })).send(reply);
    expectNamed(res, 'body.firstContactAt');
    expectNamed(res, 'body.answeredAt');
  });
});

describe('paths, encodings and authentication first', () => {
  test.each(['/tickets/%', '/tickets/%C3%28', '/tickets/%/events', '/units/%E0%A4%A'])('GET %s → 400 naming the parameter', async (url) => {
    expectNamed(await request(t.app).get(url).set(t.auth('center')), 'params.id');
  });

  test('a gzip header: 401 without a token; with one, 400 naming the body; an unknown encoding 415', async () => {
    const noToken = await request(t.app).post('/tickets').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('{"a":1}');
    expect(noToken.status).toBe(401);
    const plain = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(JSON.stringify(intake()));
    expect(plain.status).toBe(400);
    expect(plain.body.issues[0].path).toBe('body');
    const unknown = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .send(JSON.stringify(intake()));
    expect(unknown.status).toBe(415);
    expect(unknown.body.issues[0].path).toBe('headers.content-encoding');
  });

  test('JSON nested absurdly deep is a 400 naming where, not a crash', async () => {
    const deep = '{"summary":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const res = await request(t.app).post('/tickets').set(t.auth('center')).set('Content-Type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toMatch(/^body\.summary/);
  });
});

describe('who may see and do what', () => {
  test("a deactivated unit's users are refused at once, and again accepted when it is reactivated", async () => {
    const unit = t.auth({ unit: 'kf-046' });
    await request(t.app).get('/tickets').set(unit).expect(200);
    await request(t.app).patch('/admin/units/kf-046').set(t.auth('admin')).send({ active: false }).expect(200);
    const refused = await request(t.app).get('/tickets').set(unit);
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('UNIT_INACTIVE');
    await request(t.app).patch('/admin/units/kf-046').set(t.auth('admin')).send({ active: true }).expect(200);
    await request(t.app).get('/tickets').set(unit).expect(200);
  });

  test('webhook URLs: shown to admins and to the unit itself, not to other units or roles', async () => {
    await request(t.app)
      .patch('/admin/units/kf-045')
      .set(t.auth('admin'))
      .send({ webhookUrl: 'https://hooks.example.org/kf-045?token=abc' })
      .expect(200);
    const flat = (tree: { id: string; children: unknown[] }[]): Record<string, unknown>[] =>
      tree.flatMap((n) => [n as unknown as Record<string, unknown>, ...flat(n.children as never)]);
    const seenBy = async (who: Parameters<TestApp['auth']>[0]) =>
      flat((await request(t.app).get('/units').set(t.auth(who)).expect(200)).body.tree).find((u) => u.id === 'kf-045')!;
    expect((await seenBy('admin')).webhookUrl).toBe('https://hooks.example.org/kf-045?token=abc');
    expect((await seenBy({ unit: 'kf-045' })).webhookUrl).toBe('https://hooks.example.org/kf-045?token=abc');
    expect(await seenBy({ unit: 'kf-047' })).not.toHaveProperty('webhookUrl');
    expect(await seenBy('center')).not.toHaveProperty('webhookUrl');
    const one = await request(t.app).get('/units/kf-045').set(t.auth({ unit: 'kf-047' })).expect(200);
    expect(one.body).not.toHaveProperty('webhookUrl');
  });

  test('an admin change whose audit row cannot be written is not kept either', async () => {
    await t.db.pool.query(`
      CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.detail->>'name' = '审计失败' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_audit BEFORE INSERT ON admin_audit FOR EACH ROW EXECUTE FUNCTION refuse_audit();`);
    try {
      const res = await request(t.app).post('/admin/units').set(t.auth('admin')).send({ id: 'kf-301', name: '审计失败', kind: 'level1' });
      expect(res.status).toBe(500);
      expect((await t.db.pool.query("SELECT 1 FROM units WHERE id = 'kf-301'")).rowCount).toBe(0);
      const patched = await request(t.app).patch('/admin/units/kf-044').set(t.auth('admin')).send({ name: '审计失败' });
      expect(patched.status).toBe(500);
      expect((await t.db.pool.query("SELECT name FROM units WHERE id = 'kf-044'")).rows[0].name).not.toBe('审计失败');
    } finally {
      await t.db.pool.query('DROP TRIGGER refuse_audit ON admin_audit; DROP FUNCTION refuse_audit();');
    }
  });
});

describe('defence in depth: a NUL that reaches a workflow anyway', () => {
  test('is recorded repaired (U+FFFD), the update answers and the work order keeps moving', async () => {
    const id = await create();
    // Straight to the workflow, past the API's validation (as an older client or a bug might).
    const state = await temporal.workflow
      .getHandle(id)
      .executeUpdate(signUpdate, { args: [{ note: '签收\u0000备注', actor: { userId: 'unit-user-kf-047', role: 'unit', unitId: 'kf-047' } }] });
    expect(state.stage).toBe('handling');
    expect((await eventually(() => listRow(id), (r) => r?.stage === 'handling'))?.stage).toBe('handling');
    const { rows } = await t.db.pool.query<{ detail: Record<string, unknown> }>(
      "SELECT detail FROM work_order_events WHERE work_order_id = $1 AND type = 'signed'",
      [id],
    );
    expect(JSON.stringify(rows)).toContain('签收\ufffd备注');
    // Later actions answer 200 and are recorded too.
    const contact = await request(t.app).post(`/tickets/${id}/contact`).set(t.auth({ unit: 'kf-047' })).send({ reached: true, person: '王五' });
    expect(contact.status).toBe(200);
    const types = await eventually(
      async () => (await request(t.app).get(`/tickets/${id}/events`).set(t.auth('center')).expect(200)).body.items.map((e: { type: string }) => e.type),
      (ts: string[]) => ts.includes('contactAttempt'),
    );
    expect(types).toContain('contactAttempt');
  });
});

describe('a 503 says whether the action was applied', () => {
  // The outbox is recorded in the same workflow task that takes the action (a local activity), so
  // while the recording is held the update is not yet accepted: applied=false, and the retry with
  // the same key still applies it exactly once. (applied=true needs an update accepted but not
  // answered: a task that outlives its heartbeat.)
  test('held while recording: 503 applied=false; the retry with the same key answers 200 and applies it once', async () => {
    const id = await create();
    const quick = createApp({
      temporal,
      pool: t.db.pool,
      clock: t.engine!.clock,
      config: { sandbox: true, workflowTimeoutMs: 2_000 },
      logger: createLogger('silent'),
    });
    // Hold the read model: the workflow applies the action, then waits for its recording.
    const blocker = await t.db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE work_orders IN ACCESS EXCLUSIVE MODE');
    let first: request.Response;
    try {
      first = await request(quick).post(`/tickets/${id}/sign`).set(t.auth({ unit: 'kf-047' })).set('Idempotency-Key', 'sign-once').send({});
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ applied: false, idempotencyKey: 'sign-once' });
    const retry = await request(t.app).post(`/tickets/${id}/sign`).set(t.auth({ unit: 'kf-047' })).set('Idempotency-Key', 'sign-once').send({});
    expect(retry.status).toBe(200);
    expect(retry.body.stage).toBe('handling');
    const signed = retry.body.timeline.filter((e: { type: string }) => e.type === 'signed');
    expect(signed).toHaveLength(1);
  });
});
