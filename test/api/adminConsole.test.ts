/**
 * What the administrator's console screens need from the API (issue 14): users changed in name,
 * role and unit, created with a first password; the calendar's year view; the phone-reveal
 * record's total; which work orders an SLA profile change applies to. Each endpoint: bad input
 * is 400 naming the field, other roles get 403.
 */
import request from 'supertest';
import { recordPhoneReveals } from '../../api/tickets/phoneReveals';
import { startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workflows: false, sandbox: false });
}, 120_000);
afterAll(() => t?.stop());

const cookieOf = (res: request.Response) => String(res.headers['set-cookie']?.[0] ?? '').split(';')[0];
const nonAdmins = () => [t.auth('center'), t.auth('supervisor'), t.auth({ unit: 'kf-047' })];
const admin = () => t.auth('admin');

describe('users: create with a password, change name, role and unit, deactivate', () => {
  test('a user created with a password signs in; the password never enters the audit; the list says who may sign in', async () => {
    const created = await request(t.app)
      .post('/admin/users')
      .set(admin())
      .send({ id: 'clerk-a', name: '办事员甲', role: 'unit', unitId: 'kf-047', password: 'first-password-1' })
      .expect(201);
    expect(created.body.user).toMatchObject({ id: 'clerk-a', role: 'unit', unitId: 'kf-047', hasPassword: true, active: true });
    const signIn = await request(t.app).post('/auth/sign-in').send({ login: 'clerk-a', password: 'first-password-1' }).expect(200);
    expect(signIn.body.user).toMatchObject({ id: 'clerk-a', unitId: 'kf-047' });
    const audit = await request(t.app).get('/admin/audit').set(admin()).expect(200);
    expect(JSON.stringify(audit.body)).not.toContain('first-password-1');
    expect(audit.body.items.find((e: { action: string }) => e.action === 'user.create').detail).toMatchObject({ id: 'clerk-a', passwordSet: true });

    await request(t.app).post('/admin/users').set(admin()).send({ id: 'clerk-b', name: '办事员乙', role: 'center' }).expect(201);
    const list = await request(t.app).get('/admin/users').set(admin()).expect(200);
    const byId = Object.fromEntries(list.body.items.map((u: { id: string; hasPassword: boolean }) => [u.id, u.hasPassword]));
    expect(byId).toMatchObject({ 'clerk-a': true, 'clerk-b': false });
  });

  test('bad new users are 400 naming the field: a short password, a deactivated or unknown unit', async () => {
    const short = await request(t.app).post('/admin/users').set(admin()).send({ id: 'x1', name: '甲', role: 'center', password: 'short' }).expect(400);
    expect(short.body.issues.map((i: { path: string }) => i.path)).toEqual(['body.password']);
    await request(t.app).post('/admin/units').set(admin()).send({ id: 'kf-901', name: '停用测试处', kind: 'level1' }).expect(201);
    await request(t.app).patch('/admin/units/kf-901').set(admin()).send({ active: false }).expect(200);
    const inactive = await request(t.app).post('/admin/users').set(admin()).send({ id: 'x2', name: '乙', role: 'unit', unitId: 'kf-901' }).expect(400);
    expect(inactive.body.issues).toEqual([expect.objectContaining({ path: 'body.unitId', code: 'unit_inactive' })]);
    const unknown = await request(t.app).post('/admin/users').set(admin()).send({ id: 'x3', name: '丙', role: 'unit', unitId: 'kf-999' }).expect(400);
    expect(unknown.body.issues).toEqual([expect.objectContaining({ path: 'body.unitId', code: 'unknown_unit' })]);
    expect((await request(t.app).get('/admin/users/x2/tokens').set(admin())).status).toBe(404);
  });

  test('PATCH changes name, role and unit together; a role other than unit clears the unit; the user’s sessions end', async () => {
    await request(t.app).post('/admin/users').set(admin()).send({ id: 'mover', name: '调岗者', role: 'unit', unitId: 'kf-046', password: 'mover-password-1' }).expect(201);
    const session = await request(t.app).post('/auth/sign-in').send({ login: 'mover', password: 'mover-password-1' }).expect(200);
    const cookie = cookieOf(session);
    await request(t.app).get('/auth/me').set('Cookie', cookie).expect(200);

    const renamed = await request(t.app).patch('/admin/users/mover').set(admin()).send({ name: '调岗者（新）' }).expect(200);
    expect(renamed.body).toMatchObject({ name: '调岗者（新）', role: 'unit', unitId: 'kf-046' });
    // A rename keeps the session; a move to another unit ends it.
    await request(t.app).get('/auth/me').set('Cookie', cookie).expect(200);
    const moved = await request(t.app).patch('/admin/users/mover').set(admin()).send({ unitId: 'kf-047' }).expect(200);
    expect(moved.body.unitId).toBe('kf-047');
    await request(t.app).get('/auth/me').set('Cookie', cookie).expect(401);

    const promoted = await request(t.app).patch('/admin/users/mover').set(admin()).send({ role: 'supervisor' }).expect(200);
    expect(promoted.body).toMatchObject({ role: 'supervisor', unitId: null });
    const back = await request(t.app).patch('/admin/users/mover').set(admin()).send({ role: 'unit', unitId: 'kf-046' }).expect(200);
    expect(back.body).toMatchObject({ role: 'unit', unitId: 'kf-046' });
    const audit = await request(t.app).get('/admin/audit?pageSize=10').set(admin()).expect(200);
    expect(audit.body.items[0]).toMatchObject({ action: 'user.update', userId: 'admin-1', detail: { id: 'mover', role: 'unit', unitId: 'kf-046' } });
  });

  test('PATCH refuses bad input naming the field, and an admin locking themself out', async () => {
    await request(t.app).post('/admin/users').set(admin()).send({ id: 'plain', name: '普通', role: 'center' }).expect(201);
    const cases: [Record<string, unknown>, string][] = [
      [{ role: 'unit' }, 'body.unitId'], // no unit given, none held
      [{ role: 'unit', unitId: 'kf-901' }, 'body.unitId'], // deactivated (previous test)
      [{ role: 'unit', unitId: 'kf-999' }, 'body.unitId'],
      [{ role: 'center', unitId: 'kf-047' }, 'body.unitId'],
      [{ role: 'boss' }, 'body.role'],
      [{ name: '' }, 'body.name'],
      [{ active: 'no' }, 'body.active'],
    ];
    for (const [body, field] of cases) {
      const res = await request(t.app).patch('/admin/users/plain').set(admin()).send(body);
      expect([JSON.stringify(body), res.status, res.body.issues?.map((i: { path: string }) => i.path)]).toEqual([JSON.stringify(body), 400, [field]]);
    }
    await request(t.app).patch('/admin/users/nobody').set(admin()).send({ name: '无' }).expect(404);
    for (const body of [{ active: false }, { role: 'center' }]) {
      const self = await request(t.app).patch('/admin/users/admin-1').set(admin()).send(body).expect(409);
      expect(self.body.type).toBe('SELF_LOCKOUT');
    }
    expect((await request(t.app).get('/admin/users/plain/tokens').set(admin()).expect(200)).body.items).toHaveLength(1);
  });

  test('a deactivated user cannot sign in, and the users of a deactivated unit are refused', async () => {
    await request(t.app).post('/admin/users').set(admin()).send({ id: 'leaver', name: '离职者', role: 'center', password: 'leaver-password-1' }).expect(201);
    await request(t.app).patch('/admin/users/leaver').set(admin()).send({ active: false }).expect(200);
    const refused = await request(t.app).post('/auth/sign-in').send({ login: 'leaver', password: 'leaver-password-1' }).expect(401);
    expect(refused.body.type).toBe('SIGN_IN_FAILED');
    await request(t.app).patch('/admin/users/leaver').set(admin()).send({ active: true }).expect(200);
    await request(t.app).post('/auth/sign-in').send({ login: 'leaver', password: 'leaver-password-1' }).expect(200);
  });

  test('a deactivated unit cannot be chosen for dispatch: 400 naming the field, and the unit picker no longer finds it', async () => {
    await request(t.app).post('/admin/units').set(admin()).send({ id: 'kf-902', name: '派单停用处', kind: 'level1' }).expect(201);
    expect((await request(t.app).get('/unit-search?q=派单停用').set(t.auth('center')).expect(200)).body.items).toHaveLength(1);
    await request(t.app).patch('/admin/units/kf-902').set(admin()).send({ active: false }).expect(200);
    const res = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .send({ callerName: '张三', callerPhone: '13800000000', summary: '路灯不亮', category: 'help', mainUnitId: 'kf-902', coUnitIds: ['kf-047'] })
      .expect(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(['body.mainUnitId']);
    expect((await request(t.app).get('/unit-search?q=派单停用').set(t.auth('center')).expect(200)).body.items).toEqual([]);
  });

  test('other roles get 403 on every user endpoint', async () => {
    for (const who of nonAdmins()) {
      await request(t.app).get('/admin/users').set(who).expect(403);
      await request(t.app).post('/admin/users').set(who).send({ id: 'y', name: '乙', role: 'center', password: 'password-123' }).expect(403);
      await request(t.app).patch('/admin/users/center-1').set(who).send({ name: '改名' }).expect(403);
      await request(t.app).patch('/admin/users/center-1').set(who).send({ role: 'admin' }).expect(403);
    }
  });
});

describe('GET /admin/calendar/years/:year: the year view', () => {
  test('a library year: every day off and make-up workday with its holiday name', async () => {
    const res = await request(t.app).get('/admin/calendar/years/2026').set(admin()).expect(200);
    expect(res.body.source).toBe('library');
    const day = (d: string) => res.body.days.find((x: { date: string }) => x.date === d);
    expect(day('2026-10-01')).toEqual({ date: '2026-10-01', kind: 'holiday', origin: 'library', name: '国庆节', provisional: false });
    // 国办发明电〔2025〕7号: 2026-01-04 (Sunday) is a make-up workday of 元旦.
    expect(day('2026-01-04')).toMatchObject({ kind: 'workday', origin: 'library' });
    expect(res.body.days.every((d: { date: string }) => d.date.startsWith('2026-'))).toBe(true);
  });

  test('a provisional year shows the statutory days as provisional and guesses no 调休', async () => {
    const res = await request(t.app).get('/admin/calendar/years/2028').set(admin()).expect(200);
    expect(res.body.source).toBe('provisional');
    expect(res.body.days.find((d: { date: string }) => d.date === '2028-01-01')).toEqual({
      date: '2028-01-01', kind: 'holiday', origin: 'provisional', name: '元旦', provisional: true,
    });
    expect(res.body.days.filter((d: { kind: string }) => d.kind === 'workday')).toEqual([]);
    // 《全国年节及纪念日放假办法》 (2024): 1 + 4 + 1 + 2 + 1 + 1 + 3 days, but in 2028 中秋节 (八月十五)
    // falls on 3 October, a day of 国庆节: 12 days, that one named twice.
    expect(res.body.days).toHaveLength(12);
    expect(res.body.days.find((d: { date: string }) => d.date === '2028-10-03').name).toBe('中秋节、国庆节');
  });

  test('an imported year is official with the notice’s names; an exception is marked with what the nation says', async () => {
    const notice = [
      '国务院办公厅关于2029年部分节假日安排的通知',
      '一、元旦：1月1日（周一）放假1天，不调休。',
      '二、春节：2月12日（农历除夕、周一）至19日（农历正月初七、周一）放假调休，共8天。2月10日（周六）、2月24日（周六）上班。',
    ].join('\n');
    await request(t.app).put('/admin/calendar/years/2029').set(admin()).send({ format: 'notice', text: notice }).expect(200);
    await request(t.app).put('/admin/calendar/exceptions/2029-02-10').set(admin()).send({ kind: 'holiday', note: '县政府决定' }).expect(200);
    await request(t.app).put('/admin/calendar/exceptions/2029-03-05').set(admin()).send({ kind: 'holiday' }).expect(200);
    const res = await request(t.app).get('/admin/calendar/years/2029').set(admin()).expect(200);
    expect(res.body).toMatchObject({ year: 2029, source: 'official', import: { version: 1, importedBy: 'admin-1', format: 'notice' } });
    const day = (d: string) => res.body.days.find((x: { date: string }) => x.date === d);
    expect(day('2029-02-13')).toMatchObject({ kind: 'holiday', origin: 'official', name: '春节' });
    expect(day('2029-02-24')).toMatchObject({ kind: 'workday', origin: 'official' });
    expect(day('2029-02-10')).toEqual({ date: '2029-02-10', kind: 'holiday', origin: 'exception', note: '县政府决定', provisional: false, nationally: 'workday' });
    expect(day('2029-03-05')).toEqual({ date: '2029-03-05', kind: 'holiday', origin: 'exception', provisional: false });
  });

  test('a bad year is 400 naming it; other roles get 403', async () => {
    for (const year of ['1999', '2201', 'abc', '2027.5']) {
      const res = await request(t.app).get(`/admin/calendar/years/${year}`).set(admin()).expect(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(['params.year']);
    }
    for (const who of nonAdmins()) await request(t.app).get('/admin/calendar/years/2027').set(who).expect(403);
  });
});

describe('GET /admin/phone-reveals: filters, paging and the total', () => {
  test('the total counts every match; pages hold the newest first', async () => {
    const viewer = { id: 'unit-user-kf-047', name: '甲', role: 'unit' as const, unitId: 'kf-047' };
    await recordPhoneReveals(t.db.pool, viewer, ['20260302-000001', '20260302-000002', '20260302-000003'], 'list');
    await recordPhoneReveals(t.db.pool, { id: 'center-1', name: '乙', role: 'center' }, ['20260302-000001'], 'ticket');
    const all = await request(t.app).get('/admin/phone-reveals?userId=unit-user-kf-047&pageSize=2').set(admin()).expect(200);
    expect(all.body.total).toBe(3);
    expect(all.body.items).toHaveLength(2);
    const page2 = await request(t.app).get('/admin/phone-reveals?userId=unit-user-kf-047&pageSize=2&page=2').set(admin()).expect(200);
    expect(page2.body).toMatchObject({ total: 3, items: [expect.objectContaining({ userId: 'unit-user-kf-047', via: 'list' })] });
    const one = await request(t.app).get('/admin/phone-reveals?workOrderId=20260302-000001').set(admin()).expect(200);
    expect(one.body.total).toBe(2);
    expect(one.body.items.map((i: { userId: string }) => i.userId)).toEqual(['center-1', 'unit-user-kf-047']);
  });

  test('bad filters are 400 naming the field; other roles get 403', async () => {
    for (const [q, field] of [['pageSize=0', 'query.pageSize'], ['page=x', 'query.page'], ['userId=', 'query.userId']]) {
      const res = await request(t.app).get(`/admin/phone-reveals?${q}`).set(admin()).expect(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual([field]);
    }
    for (const who of nonAdmins()) await request(t.app).get('/admin/phone-reveals').set(who).expect(403);
  });
});

describe('the SLA profile: which work orders a change applies to', () => {
  /** A read-model row: enough for the open count (the workflow writes the real ones). */
  const insertWorkOrder = (id: string, profileId: string, closed: boolean) =>
    t.db.pool.query(
      `INSERT INTO work_orders (id, stage, classification, category, urgency, channel, confidential, caller_name, caller_phone, summary,
         profile_id, created_at, updated_at, closed_at, last_seq, state)
       VALUES ($1, $2, 'dispatch', 'help', 'normal', 'phone', false, '甲', '13800000000', '测试', $3, now(), now(), $4, 1, '{}')`,
      [id, closed ? 'closed' : 'handling', profileId, closed ? new Date() : null],
    );

  test('open work orders keep the profile they were created with; the answer counts them per profile', async () => {
    await insertWorkOrder('20260301-000001', 'kaifeng-001', false);
    await insertWorkOrder('20260301-000002', 'kaifeng-001', false);
    await insertWorkOrder('20260301-000003', 'lushan-000', false);
    await insertWorkOrder('20260301-000004', 'kaifeng-001', true);
    const before = await request(t.app).get('/admin/profile').set(admin()).expect(200);
    expect(before.body.appliesTo).toMatchObject({ openWorkOrdersKeepTheirs: 3, openByProfile: { 'kaifeng-001': 2, 'lushan-000': 1 } });
    const saved = await request(t.app)
      .put('/admin/profile')
      .set(admin())
      .send({ profileId: 'kaifeng-001', overrides: { sign: { normal: { amount: 2, unit: 'workingDays' } } } })
      .expect(200);
    expect(saved.body.resolved.sign.normal).toEqual({ amount: 2, unit: 'workingDays' });
    expect(saved.body.appliesTo.openWorkOrdersKeepTheirs).toBe(3);
    expect(Date.parse(saved.body.appliesTo.newWorkOrdersFrom)).toBeGreaterThan(Date.now() - 60_000);
    // The stored rows are untouched: they keep their profile.
    const rows = await t.db.pool.query("SELECT count(*)::int AS n FROM work_orders WHERE profile_id = 'lushan-000'");
    expect(rows.rows[0].n).toBe(1);
  });

  test('a bad override is 400 naming the field inside the profile; other roles may not change it', async () => {
    const res = await request(t.app)
      .put('/admin/profile')
      .set(admin())
      .send({ profileId: 'kaifeng-001', overrides: { sign: { normal: { amount: -1, unit: 'workingDays' } } } })
      .expect(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: 'body.overrides.sign.normal.amount', code: 'too_small' })]);
    for (const who of nonAdmins()) {
      await request(t.app).put('/admin/profile').set(who).send({ profileId: 'kaifeng-001', overrides: {} }).expect(403);
    }
  });
});

test('the OpenAPI document describes what the admin screens call', async () => {
  const doc = (await request(t.app).get('/openapi.json').expect(200)).body;
  expect(Object.keys(doc.paths['/admin/calendar/years/{year}'])).toContain('get');
  const patchBody = doc.paths['/admin/users/{id}'].patch.requestBody.content['application/json'].schema;
  expect(Object.keys(patchBody.properties).sort()).toEqual(['active', 'name', 'role', 'unitId']);
  const createBody = doc.paths['/admin/users'].post.requestBody.content['application/json'].schema;
  expect(Object.keys(createBody.properties)).toContain('password');
});
