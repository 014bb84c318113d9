/**
 * The API without workflows: authentication, validation (every bad input answered 400 naming its
 * field), role checks, the admin directory, calendar and profile, and the OpenAPI document.
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workflows: false, sandbox: false });
}, 120_000);
afterAll(() => t?.stop());

const validIntake = {
  callerName: '张三',
  callerPhone: '13800000000',
  summary: '小区路灯不亮',
  category: 'complaint',
};

describe('authentication', () => {
  test('no token, a malformed header and an unknown token are 401', async () => {
    await request(t.app).get('/tickets').expect(401);
    await request(t.app).get('/tickets').set('Authorization', 'Basic abc').expect(401);
    const res = await request(t.app).get('/tickets').set('Authorization', 'Bearer not-a-token').expect(401);
    expect(res.body.type).toBe('UNAUTHORIZED');
  });

  test('a demo token authenticates as its role; tokens are stored only as SHA-256', async () => {
    await request(t.app).get('/units').set(t.auth('supervisor')).expect(200);
    const { rows } = await t.db.pool.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(rows.length).toBeGreaterThan(60);
    const tokens = [t.tokens.center, t.tokens.admin, t.tokens.supervisor, ...Object.values(t.tokens.units)];
    for (const row of rows) expect(tokens).not.toContain(row.token_hash);
  });

  test('an issued token works once shown, stops working when revoked or its user is deactivated', async () => {
    const created = await request(t.app)
      .post('/admin/users')
      .set(t.auth('admin'))
      .send({ id: 'center-2', name: '受理员二', role: 'center' })
      .expect(201);
    const first = created.body.token as string;
    await request(t.app).get('/tickets').set('Authorization', `Bearer ${first}`).expect(200);

    const issued = await request(t.app).post('/admin/users/center-2/tokens').set(t.auth('admin')).send({ label: 'laptop' }).expect(201);
    const second = issued.body.token as string;
    await request(t.app).delete(`/admin/users/center-2/tokens/${issued.body.info.id}`).set(t.auth('admin')).expect(204);
    await request(t.app).get('/tickets').set('Authorization', `Bearer ${second}`).expect(401);
    await request(t.app).get('/tickets').set('Authorization', `Bearer ${first}`).expect(200);

    await request(t.app).patch('/admin/users/center-2').set(t.auth('admin')).send({ active: false }).expect(200);
    await request(t.app).get('/tickets').set('Authorization', `Bearer ${first}`).expect(401);

    const listed = await request(t.app).get('/admin/users/center-2/tokens').set(t.auth('admin')).expect(200);
    expect(listed.body.items).toHaveLength(2);
    expect(JSON.stringify(listed.body)).not.toContain(first);
  });

  test('a unit user must name an existing unit', async () => {
    const res = await request(t.app).post('/admin/users').set(t.auth('admin')).send({ id: 'u-x', name: 'x', role: 'unit' }).expect(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain('body.unitId');
    const unknown = await request(t.app)
      .post('/admin/users')
      .set(t.auth('admin'))
      .send({ id: 'u-y', name: 'y', role: 'unit', unitId: 'kf-999' })
      .expect(400);
    expect(unknown.body.issues[0].path).toBe('body.unitId');
  });
});

describe('bad input is 400 naming every bad field', () => {
  const cases: [string, () => request.Test, string[]][] = [
    ['wrong type', () => request(t.app).post('/tickets').send({ ...validIntake, callerName: 42 }), ['body.callerName']],
    ['missing fields', () => request(t.app).post('/tickets').send({ callerName: '张三' }), ['body.callerPhone', 'body.summary', 'body.category']],
    ['no body at all', () => request(t.app).post('/tickets'), ['body.callerName', 'body.summary']],
    ['unknown enum value', () => request(t.app).post('/tickets').send({ ...validIntake, category: 'gossip' }), ['body.category']],
    ['bad phone', () => request(t.app).post('/tickets').send({ ...validIntake, callerPhone: 'call me' }), ['body.callerPhone']],
    ['oversized text', () => request(t.app).post('/tickets').send({ ...validIntake, summary: '长'.repeat(4001) }), ['body.summary']],
    ['blank text', () => request(t.app).post('/tickets').send({ ...validIntake, summary: '   ' }), ['body.summary']],
    ['bad unit id', () => request(t.app).post('/tickets').send({ ...validIntake, mainUnitId: 'no spaces allowed' }), ['body.mainUnitId']],
    ['unknown unit', () => request(t.app).post('/tickets').send({ ...validIntake, mainUnitId: 'kf-999', coUnitIds: ['kf-001', 'kf-998'] }), ['body.mainUnitId', 'body.coUnitIds.1']],
    ['an array body', () => request(t.app).post('/tickets').send([validIntake]), ['body']],
    [
      'malformed JSON',
      () => request(t.app).post('/tickets').set('Content-Type', 'application/json').send('{"callerName": "张三",'),
      ['body'],
    ],
    [
      'bad dates in a reply',
      () =>
        request(t.app)
          .post('/tickets/20260302000001/reply')
          .send({ resultType: 'resolved', firstContactAt: 'yesterday', firstContactPerson: '李四', facts: 'f', answer: 'a', answeredAt: '2026-13-40T25:00:00Z' }),
      ['body.firstContactAt', 'body.answeredAt'],
    ],
    ['bad work-order id', () => request(t.app).get('/tickets/not%20an%20id'), ['params.id']],
    ['bad list filters', () => request(t.app).get('/tickets?stage=limbo&createdFrom=notadate&page=0&dueWithin=soon'), ['query.stage.0', 'query.createdFrom', 'query.page', 'query.dueWithin']],
    ['oversized Idempotency-Key', () => request(t.app).post('/tickets').set('Idempotency-Key', 'k'.repeat(201)).send(validIntake), ['headers.idempotency-key']],
    ['impossible date filter', () => request(t.app).get('/tickets?createdFrom=2026-02-30'), ['query.createdFrom']],
    ['bad boolean filter', () => request(t.app).get('/tickets?overdue=maybe'), ['query.overdue']],
    ['bad extension length', () => request(t.app).post('/tickets/20260302000001/extension').send({ workingDays: -3, reason: 'r' }), ['body.workingDays']],
  ];

  test.each(cases)('%s', async (_name, send, paths) => {
    const who = _name.includes('reply') || _name.includes('extension') ? t.auth({ unit: 'kf-001' }) : t.auth('center');
    const res = await send().set(who);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('INVALID_INPUT');
    const named = res.body.issues.map((i: { path: string }) => i.path);
    for (const path of paths) expect(named).toContain(path);
    for (const path of paths) expect(res.body.message).toContain(path);
  });

  test('a body over the size limit is 413, not 500', async () => {
    const res = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .send({ ...validIntake, summary: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body.type).toBe('PAYLOAD_TOO_LARGE');
  });

  test('a bad month is named', async () => {
    const res = await request(t.app).get('/reports/monthly?month=2026-13').set(t.auth('supervisor')).expect(400);
    expect(res.body.issues[0].path).toBe('query.month');
  });

  test('an unknown route is 404 JSON', async () => {
    const res = await request(t.app).get('/nowhere').set(t.auth('center')).expect(404);
    expect(res.body.type).toBe('NOT_FOUND');
  });
});

describe('roles', () => {
  const forbidden: [string, 'center' | 'supervisor' | 'admin' | { unit: string }, () => request.Test][] = [
    ['unit creates a work order', { unit: 'kf-001' }, () => request(t.app).post('/tickets').send(validIntake)],
    ['supervisor creates a work order', 'supervisor', () => request(t.app).post('/tickets').send(validIntake)],
    ['unit dispatches', { unit: 'kf-001' }, () => request(t.app).post('/tickets/20260302000001/dispatch').send({ mainUnitId: 'kf-001' })],
    ['center signs', 'center', () => request(t.app).post('/tickets/20260302000001/sign').send({})],
    ['supervisor replies', 'supervisor', () => request(t.app).post('/tickets/20260302000001/reply').send({})],
    ['unit reads the monthly report', { unit: 'kf-001' }, () => request(t.app).get('/reports/monthly?month=2026-03')],
    ['center reads the calendar imports', 'center', () => request(t.app).get('/admin/calendar/years')],
    ['center adds a unit', 'center', () => request(t.app).post('/admin/units').send({ id: 'x', name: 'x', kind: 'level1' })],
    ['supervisor lists users', 'supervisor', () => request(t.app).get('/admin/users')],
    ['unit changes the profile', { unit: 'kf-001' }, () => request(t.app).put('/admin/profile').send({ profileId: 'kaifeng-001' })],
  ];
  test.each(forbidden)('%s → 403', async (_name, who, send) => {
    const res = await send().set(t.auth(who));
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('FORBIDDEN');
  });

  test("a unit may read its own scores only; another unit's are 404", async () => {
    await request(t.app).get('/units/kf-002/scores?month=2026-03').set(t.auth({ unit: 'kf-001' })).expect(404);
    const own = await request(t.app).get('/units/kf-001/scores?month=2026-03').set(t.auth({ unit: 'kf-001' })).expect(200);
    expect(own.body).toMatchObject({ unitId: 'kf-001', unitName: '兰考县人民政府', volume: 0 });
  });

  test('the clock cannot be advanced outside sandbox mode (404)', async () => {
    await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ by: '26h' }).expect(404);
    const clock = await request(t.app).get('/admin/clock').set(t.auth('admin')).expect(200);
    expect(clock.body.sandbox).toBe(false);
  });
});

describe('units', () => {
  test('the 59 开封 network units form a tree with 二级 units and companies under their departments', async () => {
    const res = await request(t.app).get('/units').set(t.auth({ unit: 'kf-010' })).expect(200);
    expect(res.body.count).toBe(59);
    const urban = res.body.tree.find((u: { name: string }) => u.name === '市城市管理局(市城市综合执法局)');
    expect(urban.children.map((c: { name: string }) => c.name).sort()).toEqual(
      ['市市容环境卫生管理局', '市市政管理处', '市城市照明管理处', '市城市管理执法支队', '市供水总公司', '市新奥燃气有限公司', '市金盛热力有限公司'].sort(),
    );
    const post = await request(t.app).get('/units/kf-052').set(t.auth('center')).expect(200);
    expect(post.body).toMatchObject({ kind: 'company', parentId: null, supervisingDepartment: '市邮政管理局' });
    const counts = { level1: 0, level2: 0, company: 0 } as Record<string, number>;
    const walk = (nodes: { kind: string; children: unknown[] }[]) => nodes.forEach((n) => (counts[n.kind]++, walk(n.children as never)));
    walk(res.body.tree);
    expect(counts).toEqual({ level1: 40, level2: 9, company: 10 });
  });

  test('admin adds a unit with a webhook; the secret is never returned, logged or audited', async () => {
    const secret = 'whsec-0123456789abcdef-unit';
    const res = await request(t.app)
      .post('/admin/units')
      .set(t.auth('admin'))
      .send({ id: 'kf-100', name: '市测试中心', kind: 'level2', parentId: 'kf-038', webhookUrl: 'https://example.org/hook', webhookSecret: secret })
      .expect(201);
    expect(res.headers.location).toBe('/units/kf-100');
    expect(res.body).toMatchObject({ id: 'kf-100', parentId: 'kf-038', hasWebhookSecret: true });
    expect(JSON.stringify(res.body)).not.toContain(secret);
    const audit = await request(t.app).get('/admin/audit').set(t.auth('admin')).expect(200);
    expect(audit.body.items[0]).toMatchObject({ userId: 'admin-1', action: 'unit.create', detail: { id: 'kf-100', webhookSecret: '(set)' } });
    expect(JSON.stringify(audit.body)).not.toContain(secret);
    const stored = await t.db.pool.query('SELECT detail FROM admin_audit');
    expect(JSON.stringify(stored.rows)).not.toContain(secret);
    await request(t.app).get('/admin/audit').set(t.auth('supervisor')).expect(403);
    expect(t.logs.join('\n')).not.toContain(secret);
    // duplicate id
    await request(t.app).post('/admin/units').set(t.auth('admin')).send({ id: 'kf-100', name: '别的', kind: 'level1' }).expect(409);
  });

  test('moving a unit under its own descendant is refused', async () => {
    const res = await request(t.app).patch('/admin/units/kf-016').set(t.auth('admin')).send({ parentId: 'kf-041' }).expect(400);
    expect(res.body.issues[0]).toMatchObject({ path: 'body.parentId', message: 'would make the tree a cycle' });
    const ok = await request(t.app).patch('/admin/units/kf-041').set(t.auth('admin')).send({ name: '市公安局交警支队' }).expect(200);
    expect(ok.body).toMatchObject({ name: '市公安局交警支队', parentId: 'kf-016' });
  });
});

describe('calendar and SLA profile', () => {
  test('a hotline’s own exceptions shape the effective calendar, but never make a year official', async () => {
    await request(t.app).put('/admin/calendar/exceptions/2027-01-01').set(t.auth('admin')).send({ kind: 'holiday', note: '元旦' }).expect(200);
    await request(t.app).put('/admin/calendar/exceptions/2026-03-07').set(t.auth('admin')).send({ kind: 'workday', note: '调休' }).expect(200);
    const res = await request(t.app).get('/admin/calendar').set(t.auth('admin')).expect(200);
    expect(res.body.exceptions.map((e: { date: string }) => e.date)).toEqual(['2026-03-07', '2027-01-01']);
    expect(res.body.effective.makeUpWorkdays).toContain('2026-03-07');
    expect(res.body.effective.provisionalYears).toEqual([2027, 2028]); // only a notice import (or the library) covers a year
    await request(t.app).delete('/admin/calendar/exceptions/2026-03-07').set(t.auth('admin')).expect(204);
    await request(t.app).delete('/admin/calendar/exceptions/2026-03-07').set(t.auth('admin')).expect(404);
    const bad = await request(t.app).put('/admin/calendar/exceptions/2026-02-30').set(t.auth('admin')).send({ kind: 'rest' }).expect(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.kind', 'params.date']);
  });

  test('office hours must be ordered periods', async () => {
    const bad = await request(t.app)
      .put('/admin/calendar/office-hours')
      .set(t.auth('admin'))
      .send({ officeHours: [{ start: '14:00', end: '17:00' }, { start: '08:00', end: '12:00' }] })
      .expect(400);
    expect(bad.body.issues[0].path).toBe('body.officeHours');
    await request(t.app)
      .put('/admin/calendar/office-hours')
      .set(t.auth('admin'))
      .send({ officeHours: [{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }] })
      .expect(200);
    const res = await request(t.app).get('/admin/calendar').set(t.auth('admin')).expect(200);
    expect(res.body.effective.officeHours).toEqual([{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }]);
  });

  test('the profile is a shipped one plus validated overrides', async () => {
    const bad = await request(t.app)
      .put('/admin/profile')
      .set(t.auth('admin'))
      .send({ profileId: 'jingchuan-004', overrides: { sign: { normal: { amount: -1, unit: 'workingHours' } } } })
      .expect(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toContain('body.overrides.sign.normal.amount');
    const unknownProfile = await request(t.app).put('/admin/profile').set(t.auth('admin')).send({ profileId: 'atlantis' }).expect(400);
    expect(unknownProfile.body.issues[0].path).toBe('body.profileId');

    const ok = await request(t.app)
      .put('/admin/profile')
      .set(t.auth('admin'))
      .send({ profileId: 'jingchuan-004', overrides: { sign: { normal: { amount: 2, unit: 'workingHours' } } } })
      .expect(200);
    expect(ok.body.resolved.sign.normal).toEqual({ amount: 2, unit: 'workingHours' });
    const current = await request(t.app).get('/admin/profile').set(t.auth('supervisor')).expect(200);
    expect(current.body).toMatchObject({ profileId: 'jingchuan-004', updatedBy: 'admin-1' });
    expect(current.body.resolved.sign.normal).toEqual({ amount: 2, unit: 'workingHours' });
    const shipped = await request(t.app).get('/admin/profiles').set(t.auth('admin')).expect(200);
    expect(shipped.body.items).toHaveLength(5);
  });
});

describe('OpenAPI', () => {
  test('the document lists every route with its schemas; /docs serves the browsable page', async () => {
    const doc = await request(t.app).get('/openapi.json').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths);
    for (const p of ['/tickets', '/tickets/{id}', '/tickets/{id}/sign', '/tickets/{id}/callback', '/notifications', '/units/{id}/scores', '/reports/monthly', '/admin/units', '/admin/profile']) {
      expect(paths).toContain(p);
    }
    const create = doc.body.paths['/tickets'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['callerName', 'callerPhone', 'summary', 'category']));
    expect(schema.properties.category.enum).toContain('report');
    expect(create.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]));
    const html = await request(t.app).get('/docs/').expect(200);
    expect(html.text).toContain('swagger-ui');
  });

  test('no log line carries a token', () => {
    const all = t.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const token of [t.tokens.center, t.tokens.admin, t.tokens.supervisor, t.tokens.units['kf-001']]) expect(all).not.toContain(token);
  });
});
