/**
 * The token cache (api/http/tokenCache.ts, issue 9): a known token's caller is served from memory,
 * and every committed change of tokens, users or units, whoever makes it, reaches it through
 * PostgreSQL's notification; while it cannot listen it keeps nothing.
 */
import { Pool } from 'pg';
import { hashToken } from '../../api/http/auth';
import { authChanged } from '../../api/http/authChanged';
import { TokenCache } from '../../api/http/tokenCache';
import { createSession, endSession, sessionTtlMs } from '../../api/auth/sessions';
import { demoTokens, seedDemo, type DemoTokens } from '../../db/seed/demo';
import { eventually } from '../support/eventually';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

let db: TestPostgres;
let tokens: DemoTokens;
/** The cache's own pool, whose queries are counted. */
let pool: Pool;
let queries = 0;
const caches: TokenCache[] = [];

beforeAll(async () => {
  db = await startTestPostgres();
  await seedDemo(db.pool, 'token-cache-secret');
  tokens = demoTokens('token-cache-secret');
  pool = new Pool({ connectionString: db.databaseUrl, max: 4 });
  pool.on('error', () => undefined);
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    queries++;
    return query(...args);
  };
}, 120_000);
afterAll(async () => {
  for (const cache of caches) await cache.close();
  await pool?.end();
  await db?.stop();
});

async function cacheOf(settings: { size: number; ttlMs: number; reconnectMs?: number }): Promise<TokenCache> {
  const cache = new TokenCache(pool, settings);
  caches.push(cache);
  await cache.start();
  return cache;
}

/** The demo user id of a token. */
async function userIdOf(token: string): Promise<string> {
  const { rows } = await db.pool.query<{ user_id: string }>('SELECT user_id FROM api_tokens WHERE token_hash = $1', [hashToken(token)]);
  return rows[0].user_id;
}

/** Queries the cache made for `lookups`. */
async function queriesFor(lookups: () => Promise<unknown>): Promise<number> {
  const before = queries;
  await lookups();
  return queries - before;
}

test('a known token is read once, then served from memory; an unknown one is read every time', async () => {
  const cache = await cacheOf({ size: 100, ttlMs: 60_000 });
  expect(cache.active).toBe(true);
  const first = await cache.lookup(tokens.center);
  expect(first).toMatchObject({ role: 'center' });
  expect(await queriesFor(async () => expect(await cache.lookup(tokens.center)).toEqual(first))).toBe(0);
  expect(await queriesFor(async () => expect(await cache.lookup('hl_unknown')).toBeUndefined())).toBe(1);
  expect(await queriesFor(() => cache.lookup('hl_unknown'))).toBe(1);
});

test('a token revoked by another process (directly in PostgreSQL) is refused once the notification arrives', async () => {
  const cache = await cacheOf({ size: 100, ttlMs: 60_000 });
  const token = tokens.evaluator;
  expect(await cache.lookup(token)).toMatchObject({ role: 'evaluator' });
  await db.pool.query('UPDATE api_tokens SET revoked_at = now() WHERE token_hash = $1', [hashToken(token)]);
  expect(await eventually(() => cache.lookup(token), (user) => user === undefined)).toBeUndefined();
  await db.pool.query('UPDATE api_tokens SET revoked_at = NULL WHERE token_hash = $1', [hashToken(token)]);
  expect(await eventually(() => cache.lookup(token), (user) => user !== undefined)).toMatchObject({ role: 'evaluator' });
});

test('a deactivated unit, a deactivated user and a changed role reach the cache through the notification', async () => {
  const cache = await cacheOf({ size: 100, ttlMs: 60_000 });
  const [unitId, token] = Object.entries(tokens.units)[0];
  expect(await cache.lookup(token)).toMatchObject({ role: 'unit', unitId, unitActive: true });
  await db.pool.query('UPDATE units SET active = false WHERE id = $1', [unitId]);
  expect(await eventually(() => cache.lookup(token), (user) => user?.unitActive === false)).toMatchObject({ unitActive: false });
  await db.pool.query('UPDATE units SET active = true WHERE id = $1', [unitId]);
  expect(await eventually(() => cache.lookup(token), (user) => user?.unitActive === true)).toMatchObject({ unitActive: true });

  const supervisorId = await userIdOf(tokens.supervisor);
  expect(await cache.lookup(tokens.supervisor)).toMatchObject({ role: 'supervisor' });
  await db.pool.query(`UPDATE users SET role = 'center' WHERE id = $1`, [supervisorId]);
  expect(await eventually(() => cache.lookup(tokens.supervisor), (user) => user?.role === 'center')).toMatchObject({ role: 'center' });
  await db.pool.query('UPDATE users SET active = false WHERE id = $1', [supervisorId]);
  expect(await eventually(() => cache.lookup(tokens.supervisor), (user) => user === undefined)).toBeUndefined();
  await db.pool.query(`UPDATE users SET role = 'supervisor', active = true WHERE id = $1`, [supervisorId]);
  expect(await eventually(() => cache.lookup(tokens.supervisor), (user) => user?.role === 'supervisor')).toMatchObject({ role: 'supervisor' });
});

test('a change made in this process (authChanged) is seen at once, without waiting for the notification', async () => {
  const cache = await cacheOf({ size: 100, ttlMs: 60_000 });
  const adminId = await userIdOf(tokens.admin);
  expect(await cache.lookup(tokens.admin)).toMatchObject({ role: 'admin' });
  await db.pool.query('UPDATE users SET active = false WHERE id = $1', [adminId]);
  authChanged();
  try {
    expect(await cache.lookup(tokens.admin)).toBeUndefined();
  } finally {
    await db.pool.query('UPDATE users SET active = true WHERE id = $1', [adminId]);
    authChanged();
  }
});

test('a lookup under way when a change is announced is not kept', async () => {
  const cache = await cacheOf({ size: 100, ttlMs: 60_000 });
  const under = cache.lookup(tokens.center);
  cache.invalidate();
  await under;
  expect(await queriesFor(() => cache.lookup(tokens.center))).toBe(1);
  expect(await queriesFor(() => cache.lookup(tokens.center))).toBe(0);
});

/** Ends the listening connections of the test database (a restart, a network fault). */
async function dropListeners(): Promise<number[]> {
  const { rows } = await db.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN auth_changed' AND pid <> pg_backend_pid()`,
  );
  for (const { pid } of rows) await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
  return rows.map((r) => r.pid);
}

test('while its listening connection is lost the cache keeps nothing', async () => {
  const cache = await cacheOf({ size: 100, ttlMs: 60_000, reconnectMs: 600_000 });
  await cache.lookup(tokens.center);
  expect(await queriesFor(() => cache.lookup(tokens.center))).toBe(0);
  expect((await dropListeners()).length).toBeGreaterThan(0);
  expect(await eventually(async () => cache.active, (active) => !active)).toBe(false);
  // Changes are not heard now: every lookup reads the database.
  expect(await queriesFor(async () => (await cache.lookup(tokens.center), await cache.lookup(tokens.center)))).toBe(2);
  await cache.close();
});

test('a cache whose connection was lost listens again, forgets what it had, and keeps again', async () => {
  const cache = await cacheOf({ size: 100, ttlMs: 60_000, reconnectMs: 50 });
  await cache.lookup(tokens.center);
  const dropped = await dropListeners();
  expect(dropped.length).toBeGreaterThan(0);
  const listeners = () =>
    db.pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN auth_changed'`).then((r) => r.rows.map((x) => x.pid));
  const again = await eventually(listeners, (pids) => pids.some((pid) => !dropped.includes(pid)));
  expect(again.some((pid) => !dropped.includes(pid))).toBe(true);
  expect(await eventually(async () => cache.active, (active) => active)).toBe(true);
  expect(await queriesFor(() => cache.lookup(tokens.center))).toBe(1);
  expect(await queriesFor(() => cache.lookup(tokens.center))).toBe(0);
});

test('size 0 keeps nothing; the oldest entry goes first; an entry expires after its TTL', async () => {
  const off = await cacheOf({ size: 0, ttlMs: 60_000 });
  expect(off.active).toBe(false);
  expect(await queriesFor(async () => (await off.lookup(tokens.center), await off.lookup(tokens.center)))).toBe(2);

  const one = await cacheOf({ size: 1, ttlMs: 60_000 });
  await one.lookup(tokens.center);
  await one.lookup(tokens.supervisor);
  expect(await queriesFor(() => one.lookup(tokens.supervisor))).toBe(0);
  expect(await queriesFor(() => one.lookup(tokens.center))).toBe(1);

  const brief = await cacheOf({ size: 100, ttlMs: 20 });
  await brief.lookup(tokens.center);
  await new Promise((resolve) => setTimeout(resolve, 40));
  expect(await queriesFor(() => brief.lookup(tokens.center))).toBe(1);
});

test('a console session is served from memory until it is ended (in this process or another) or expires', async () => {
  const cache = await cacheOf({ size: 100, ttlMs: 60_000 });
  const centerId = await userIdOf(tokens.center);
  const user = { id: centerId, name: '受理员', role: 'center' as const };
  const { cookieValue } = await createSession(db.pool, user);
  expect((await cache.session(cookieValue))?.user.id).toBe(centerId);
  expect(await queriesFor(async () => expect((await cache.session(cookieValue))?.user.id).toBe(centerId))).toBe(0);
  // Ended by another process: the notification empties the cache.
  await db.pool.query('DELETE FROM console_sessions WHERE id_hash = $1', [hashToken(cookieValue)]);
  expect(await eventually(() => cache.session(cookieValue), (session) => session === undefined)).toBeUndefined();

  // Signed out through this process: gone at once.
  const second = await createSession(db.pool, user);
  expect(await cache.session(second.cookieValue)).toBeDefined();
  await endSession(db.pool, second.cookieValue);
  expect(await cache.session(second.cookieValue)).toBeUndefined();

  // Expiry is checked against the kept session too (sessions expire in real time).
  const soon = await createSession(db.pool, user, new Date(Date.now() - sessionTtlMs + 300));
  expect(await cache.session(soon.cookieValue)).toBeDefined();
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(await cache.session(soon.cookieValue)).toBeUndefined();
});
