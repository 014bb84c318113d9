/**
 * Sign-in failures are limited per client address too, beside the per-name lockout (issue 13):
 * 20 failures within 15 minutes from one address, whatever the names, lock that address; other
 * addresses are not affected. The address is the socket's; a proxy's X-Forwarded-For counts only
 * when TRUST_PROXY trusts that proxy, so a client cannot escape the limit by inventing one.
 */
import { Client } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { defaultAddressLockout } from '../../api/auth/lockout';
import { createLogger } from '../../api/logger';
import { startTestApp, type TestApp } from '../support/app';

let t: TestApp;
const appWith = (trustProxy?: string): Express =>
  createApp({ temporal: new Client(), pool: t.db.pool, clock: null, config: { sandbox: false, trustProxy }, logger: createLogger('silent') });
beforeAll(async () => {
  t = await startTestApp({ workflows: false, passwords: true });
}, 120_000);
afterAll(() => t?.stop());

const limit = defaultAddressLockout.maxFailures;

test('behind a trusted proxy: one address guessing across many names is locked; another address signs in', async () => {
  const app = appWith('loopback');
  const from = (address: string, login: string, password: string) =>
    request(app).post('/auth/sign-in').set('X-Forwarded-For', address).send({ login, password });
  // A different name each time: no name reaches its own limit of 5.
  for (let i = 1; i < limit; i++) expect((await from('203.0.113.7', `guess-${i % 4}-${i}`, 'wrong-password').expect(401)).body.type).toBe('SIGN_IN_FAILED');
  const locked = await from('203.0.113.7', 'guess-last', 'wrong-password').expect(429);
  expect(locked.body.type).toBe('SIGN_IN_LOCKED');
  expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
  // Locked whatever the name and password, without checking the password.
  await from('203.0.113.7', t.passwords.admin.login, t.passwords.admin.password).expect(429);
  // Another client is not: the right password signs in, and its failures count on their own.
  await from('203.0.113.8', t.passwords.admin.login, t.passwords.admin.password).expect(200);
  await from('203.0.113.8', 'guess-other', 'wrong-password').expect(401);
  const { rows } = await t.db.pool.query<{ address: string; failures: number }>('SELECT address, failures FROM sign_in_address_failures ORDER BY address');
  expect(rows.map((r) => r.address)).toEqual(['203.0.113.7', '203.0.113.8']);
  expect(rows[1].failures).toBe(1);
}, 180_000);

test('without TRUST_PROXY an invented X-Forwarded-For does not escape the limit; the per-name lockout still holds', async () => {
  const app = appWith(undefined);
  const attempt = (i: number, login: string, password: string) =>
    request(app).post('/auth/sign-in').set('X-Forwarded-For', `198.51.100.${i}`).send({ login, password });
  for (let i = 1; i < limit; i++) await attempt(i, `nobody-${i}`, 'wrong-password').expect(401);
  await attempt(limit, 'nobody-last', 'wrong-password').expect(429);
  await attempt(limit + 1, t.passwords.center.login, t.passwords.center.password).expect(429);

  // The per-name count is unchanged: five failures lock a name from any address.
  const trusted = appWith('loopback');
  const named = (i: number, password: string) =>
    request(trusted).post('/auth/sign-in').set('X-Forwarded-For', `192.0.2.${i}`).send({ login: t.passwords.supervisor.login, password });
  for (let i = 1; i < 5; i++) await named(i, 'wrong-password').expect(401);
  await named(5, 'wrong-password').expect(429);
  await named(6, t.passwords.supervisor.password).expect(429);
}, 180_000);
