/**
 * The codec endpoint as the Temporal web UI calls it (issue 15): a CORS preflight for its
 * origin (JSON + X-Namespace), then `POST /codec/decode` with the browser's cookies
 * (TEMPORAL_CODEC_INCLUDE_CREDENTIALS) — the console's session cookie of an administrator — or
 * a bearer token (TEMPORAL_CODEC_PASS_ACCESS_TOKEN). Nobody but administrators, and no browser
 * origin but the configured one, gets a decoded payload.
 */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ workflows: false, passwords: true });
}, 120_000);
afterAll(() => t?.stop());

const ui = 'http://localhost:8080'; // the origin test/support/app.ts allows, as CODEC_CORS_ORIGINS does
const cookieOf = (res: request.Response) => String(res.headers['set-cookie']?.[0] ?? '').split(';')[0];
const signIn = async (login: string, password: string) => cookieOf(await request(t.app).post('/auth/sign-in').send({ login, password }).expect(200));

/** A payload of the caller's data, encrypted by the app's codec through its own endpoint. */
async function encryptedPayloads(): Promise<unknown> {
  const plain = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"callerPhone":"13712345678"}').toString('base64') }] };
  const encoded = await request(t.app).post('/codec/encode').set(t.auth('admin')).send(plain).expect(200);
  expect(Buffer.from(encoded.body.payloads[0].data, 'base64').toString('utf8')).not.toContain('13712345678');
  return encoded.body;
}
const phoneIn = (body: { payloads: { data: string }[] }) => Buffer.from(body.payloads[0].data, 'base64').toString('utf8');

test('preflight: the UI origin may send JSON with X-Namespace and credentials; an unknown origin is refused', async () => {
  const ok = await request(t.app)
    .options('/codec/decode')
    .set('Origin', ui)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'content-type,x-namespace')
    .expect(204);
  expect(ok.headers['access-control-allow-origin']).toBe(ui);
  expect(ok.headers['access-control-allow-credentials']).toBe('true');
  expect(ok.headers['access-control-allow-methods']).toMatch(/POST/);
  for (const header of ['content-type', 'x-namespace', 'authorization']) expect(ok.headers['access-control-allow-headers'].toLowerCase()).toContain(header);
  expect(ok.headers.vary).toMatch(/Origin/);

  const evil = await request(t.app).options('/codec/decode').set('Origin', 'http://evil.example').set('Access-Control-Request-Method', 'POST').expect(403);
  expect(evil.headers['access-control-allow-origin']).toBeUndefined();
});

test("the UI with credentials: an administrator's console session cookie decodes", async () => {
  const wire = await encryptedPayloads();
  const cookie = await signIn(t.passwords.admin.login, t.passwords.admin.password);
  // What the browser sends after the preflight: Origin, the cookie, X-Namespace; no CSRF token.
  const decoded = await request(t.app).post('/codec/decode').set('Origin', ui).set('Cookie', cookie).set('X-Namespace', 'default').send(wire as object).expect(200);
  expect(decoded.headers['access-control-allow-origin']).toBe(ui);
  expect(decoded.headers['access-control-allow-credentials']).toBe('true');
  expect(phoneIn(decoded.body)).toContain('13712345678');
  // The UI's own OIDC access token (pass access token) beside the cookie: the cookie still counts.
  const both = await request(t.app).post('/codec/decode').set('Origin', ui).set('Cookie', cookie).set('Authorization', 'Bearer eyJ.not-one-of-ours').send(wire as object).expect(200);
  expect(phoneIn(both.body)).toContain('13712345678');
  // A bearer token alone (pass access token with one of this service's tokens), as before.
  const bearer = await request(t.app).post('/codec/decode').set('Origin', ui).set(t.auth('admin')).send(wire as object).expect(200);
  expect(phoneIn(bearer.body)).toContain('13712345678');
});

test('refused: a non-admin cookie or token, no credentials, an ended session, an unknown origin', async () => {
  const wire = await encryptedPayloads();
  const center = await signIn(t.passwords.center.login, t.passwords.center.password);
  const refused = await request(t.app).post('/codec/decode').set('Origin', ui).set('Cookie', center).send(wire as object).expect(403);
  expect(refused.body.type).toBe('FORBIDDEN');
  expect(JSON.stringify(refused.body)).not.toContain(Buffer.from('13712345678').toString('base64'));
  await request(t.app).post('/codec/decode').set('Origin', ui).set(t.auth({ unit: 'kf-047' })).send(wire as object).expect(403);
  await request(t.app).post('/codec/decode').set('Origin', ui).send(wire as object).expect(401);
  await request(t.app).post('/codec/decode').set('Origin', ui).set('Authorization', 'Bearer eyJ.not-one-of-ours').send(wire as object).expect(401);

  // An administrator's cookie sent from a page of another origin (a forged cross-site call).
  const admin = await signIn(t.passwords.admin.login, t.passwords.admin.password);
  const forged = await request(t.app).post('/codec/decode').set('Origin', 'http://evil.example').set('Cookie', admin).send(wire as object).expect(403);
  expect(forged.body.type).toBe('ORIGIN_NOT_ALLOWED');
  expect(forged.headers['access-control-allow-origin']).toBeUndefined();

  // Signed out: the cookie no longer decodes.
  const me = await request(t.app).get('/auth/me').set('Cookie', admin).expect(200);
  await request(t.app).post('/auth/sign-out').set('Cookie', admin).set('X-CSRF-Token', me.body.csrfToken).expect(204);
  await request(t.app).post('/codec/decode').set('Origin', ui).set('Cookie', admin).send(wire as object).expect(401);
});
