/**
 * Sign-in for people (issue 13): scrypt-hashed passwords, the session cookie (HttpOnly,
 * SameSite=Strict, expiry), CSRF on cookie-authenticated state changes, lockout of repeated
 * failures, admin reset and own change; bearer tokens keep working. Also the console's helper
 * calls: unit search by pinyin initials, the caller's earlier work orders, the inbox order.
 */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workflows: false, passwords: true });
}, 120_000);
afterAll(() => t?.stop());

const signIn = (login: string, password: string) => request(t.app).post('/auth/sign-in').send({ login, password });
const cookieOf = (res: request.Response) => String(res.headers['set-cookie']?.[0] ?? '').split(';')[0];

test('a password is stored as a scrypt hash, never in clear', async () => {
  const { rows } = await t.db.pool.query('SELECT password_hash FROM user_passwords WHERE user_id = $1', ['center-1']);
  expect(rows[0].password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
  expect(rows[0].password_hash).not.toContain(t.passwords.center.password);
});

test('sign-in sets an HttpOnly SameSite=Strict expiring cookie; me, CSRF and sign-out', async () => {
  const res = await signIn('center-1', t.passwords.center.password).expect(200);
  const setCookie = String(res.headers['set-cookie'][0]);
  expect(setCookie).toMatch(/^hl_session=/);
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  expect(setCookie).toMatch(/Expires=/);
  expect(setCookie).not.toMatch(/Secure/); // plain HTTP here; Secure over HTTPS
  expect(res.body.user).toMatchObject({ id: 'center-1', role: 'center' });
  const cookie = cookieOf(res);
  const csrf = res.body.csrfToken as string;

  const me = await request(t.app).get('/auth/me').set('Cookie', cookie).expect(200);
  expect(me.body.csrfToken).toBe(csrf);
  // A state-changing call with the cookie but without the CSRF token is refused...
  const noCsrf = await request(t.app).post('/notifications/none/read').set('Cookie', cookie).expect(403);
  expect(noCsrf.body.type).toBe('CSRF_TOKEN_INVALID');
  await request(t.app).post('/notifications/none/read').set('Cookie', cookie).set('X-CSRF-Token', 'wrong').expect(403);
  // ...and passes with it (404: the notification does not exist, but the call got through).
  await request(t.app).post('/notifications/none/read').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(404);

  await request(t.app).post('/auth/sign-out').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
  const after = await request(t.app).get('/auth/me').set('Cookie', cookie).expect(401);
  expect(after.body.type).toBe('SESSION_EXPIRED');
});

test('an expired session is refused', async () => {
  const res = await signIn('supervisor-1', t.passwords.supervisor.password).expect(200);
  await t.db.pool.query("UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE user_id = 'supervisor-1'");
  await request(t.app).get('/auth/me').set('Cookie', cookieOf(res)).expect(401);
});

test('wrong passwords are refused alike for unknown users, and the name locks after 5 failures', async () => {
  const unknown = await signIn('nobody', 'whatever-1').expect(401);
  expect(unknown.body.type).toBe('SIGN_IN_FAILED');
  const login = 'unit-user-kf-046';
  for (let i = 0; i < 4; i++) expect((await signIn(login, 'wrong-password').expect(401)).body.type).toBe('SIGN_IN_FAILED');
  const fifth = await signIn(login, 'wrong-password').expect(429);
  expect(fifth.body.type).toBe('SIGN_IN_LOCKED');
  expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(800);
  // Locked: even the right password is refused until the lock ends.
  await signIn(login, t.passwords.units['kf-046'].password).expect(429);
  // An admin's reset lifts the lock.
  await request(t.app).put(`/admin/users/${login}/password`).set(t.auth('admin')).send({ password: 'new-password-46' }).expect(204);
  await signIn(login, t.passwords.units['kf-046'].password).expect(401);
  await signIn(login, 'new-password-46').expect(200);
});

test('an admin reset ends the user’s sessions; users change their own password with the current one', async () => {
  const login = 'unit-user-kf-003';
  const first = await signIn(login, t.passwords.units['kf-003'].password).expect(200);
  const cookie = cookieOf(first);
  const csrf = first.body.csrfToken;
  const wrong = await request(t.app).post('/auth/password').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ currentPassword: 'nope', newPassword: 'another-pass-1' }).expect(403);
  expect(wrong.body.type).toBe('WRONG_PASSWORD');
  const short = await request(t.app).post('/auth/password').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ currentPassword: t.passwords.units['kf-003'].password, newPassword: 'short' }).expect(400);
  expect(short.body.issues[0].path).toBe('body.newPassword');
  await request(t.app).post('/auth/password').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ currentPassword: t.passwords.units['kf-003'].password, newPassword: 'another-pass-1' }).expect(204);
  await signIn(login, 'another-pass-1').expect(200);
  // Only an admin resets other people's passwords.
  await request(t.app).put(`/admin/users/${login}/password`).set(t.auth('center')).send({ password: 'x-x-x-x-x-x' }).expect(403);
  await request(t.app).put(`/admin/users/${login}/password`).set(t.auth('admin')).send({ password: 'reset-by-admin' }).expect(204);
  await request(t.app).get('/auth/me').set('Cookie', cookie).expect(401);
  await request(t.app).put('/admin/users/nobody/password').set(t.auth('admin')).send({ password: 'reset-by-admin' }).expect(404);
});

test('bearer tokens keep working, and /auth/me names the unit', async () => {
  const me = await request(t.app).get('/auth/me').set(t.auth({ unit: 'kf-047' })).expect(200);
  expect(me.body.user).toMatchObject({ role: 'unit', unitId: 'kf-047', unitName: '市城市照明管理处' });
  expect(me.body.csrfToken).toBeUndefined();
});

test('the console is served at / with a CSP, and its libraries from node_modules', async () => {
  const index = await request(t.app).get('/').expect(200);
  // The bundle (api/console/bundle.ts, its own test: test/api/consoleBundle.test.ts) or, without
  // one, the source modules; both are modules from this origin only.
  expect(index.text).toMatch(/<script type="module" src="\/console\//);
  expect(index.headers['content-security-policy']).toMatch(/script-src 'self'/);
  await request(t.app).get('/console/main.js').expect(200).expect('Content-Type', /javascript/);
  await request(t.app).get('/vendor/vue.js').expect(200);
  await request(t.app).get('/vendor/element-plus-zh-cn.js').expect(200);
  await request(t.app).get('/console/shims/devtools-api.js').expect(200);
  // Only the listed builds are served: nothing else of node_modules or the repository.
  for (const path of ['/vendor/secret.js', '/vendor/..%2Fpackage.json', '/console/../package.json', '/console/%2e%2e/package.json']) {
    const res = await request(t.app).get(path);
    expect([401, 404]).toContain(res.status);
    expect(res.text).not.toContain('hotline-workorders');
  }
});

test('the console’s calls are in the OpenAPI document', async () => {
  const doc = await request(t.app).get('/openapi.json').expect(200);
  for (const p of ['/auth/sign-in', '/auth/me', '/auth/sign-out', '/auth/password', '/admin/users/{id}/password', '/unit-search', '/caller-history', '/tickets/{id}/extension-limit']) {
    expect(Object.keys(doc.body.paths)).toContain(p);
  }
  expect(doc.body.paths['/auth/sign-in'].post.requestBody.content['application/json'].schema.required).toEqual(['login', 'password']);
});

test('units are found by pinyin initials and by name', async () => {
  const byInitials = await request(t.app).get('/unit-search?q=scszm').set(t.auth('center')).expect(200);
  expect(byInitials.body.items[0]).toMatchObject({ id: 'kf-047', name: '市城市照明管理处' });
  const byName = await request(t.app).get(`/unit-search?q=${encodeURIComponent('照明')}`).set(t.auth('center')).expect(200);
  expect(byName.body.items.map((u: { id: string }) => u.id)).toContain('kf-047');
  const none = await request(t.app).get('/unit-search?q=zzzzzz').set(t.auth('center')).expect(200);
  expect(none.body.items).toEqual([]);
  const bad = await request(t.app).get('/unit-search').set(t.auth('center')).expect(400);
  expect(bad.body.issues[0].path).toBe('query.q');
});

async function insertOrder(id: string, phone: string, createdAt: string, nextDeadline: string | null, mainUnit = 'kf-047', closed = false) {
  await t.db.pool.query(
    `INSERT INTO work_orders (id, stage, classification, category, urgency, channel, main_unit_id, unit_ids, confidential, caller_name, caller_phone,
                              summary, profile_id, created_at, updated_at, closed_at, next_deadline, last_seq, state)
     VALUES ($1, $2, 'dispatch', 'complaint', 'normal', 'phone', $3, ARRAY[$3], false, '张三', $4, '路灯不亮', 'kaifeng-001', $5, $5, $6, $7, 1, '{}')`,
    [id, closed ? 'closed' : 'dispatched', mainUnit, phone, createdAt, closed ? createdAt : null, nextDeadline],
  );
}

test('the caller’s earlier work orders by phone (center only), and the inbox by nearest deadline', async () => {
  await insertOrder('T-1', '138-0000-1111', '2026-02-01T01:00:00Z', '2026-03-05T01:00:00Z');
  await insertOrder('T-2', '13800001111', '2026-02-02T01:00:00Z', '2026-03-03T01:00:00Z');
  await insertOrder('T-3', '13900002222', '2026-02-03T01:00:00Z', '2026-03-04T01:00:00Z');
  await insertOrder('T-4', '13800001111', '2026-02-04T01:00:00Z', null, 'kf-047', true);
  const history = await request(t.app).get('/caller-history?phone=13800001111').set(t.auth('center')).expect(200);
  expect(history.body.total).toBe(3);
  expect(history.body.items.map((i: { id: string }) => i.id)).toEqual(['T-4', 'T-2', 'T-1']);
  await request(t.app).get('/caller-history?phone=13800001111').set(t.auth({ unit: 'kf-047' })).expect(403);
  await request(t.app).get('/caller-history?phone=abc').set(t.auth('center')).expect(400);

  const inbox = await request(t.app).get('/tickets?sort=deadline').set(t.auth({ unit: 'kf-047' })).expect(200);
  expect(inbox.body.items.map((i: { id: string }) => i.id)).toEqual(['T-2', 'T-3', 'T-1', 'T-4']);
  const newest = await request(t.app).get('/tickets').set(t.auth('center')).expect(200);
  expect(newest.body.items.map((i: { id: string }) => i.id)).toEqual(['T-4', 'T-3', 'T-2', 'T-1']);
});
