/**
 * Demo data for a fresh installation: the 开封市 unit tree (001) and one user with a token per
 * role, plus one user per unit.
 *
 * Demo tokens are derived from a per-installation secret (HMAC of the user id), so the start
 * script can print them again on every start while the database keeps only their hashes.
 */
import { createHmac } from 'node:crypto';
import type { Pool } from 'pg';
import { insertUnit, newUnitSchema } from '../../api/units/repository';
import { insertUser, issueToken } from '../../api/admin/usersRepository';
import { hashPassword } from '../../api/auth/passwords';
import { kaifengUnits } from './kaifengUnits';

/** role → token, and for units: unit id → token. */
export interface DemoTokens {
  center: string;
  supervisor: string;
  admin: string;
  /** 专业评价员 (002 三(一)). */
  evaluator: string;
  units: Record<string, string>;
}

export const demoUsers = {
  center: { id: 'center-1', name: '热线办 受理员' },
  supervisor: { id: 'supervisor-1', name: '督查 领导' },
  admin: { id: 'admin-1', name: '系统管理员' },
  evaluator: { id: 'evaluator-1', name: '专业评价员' },
} as const;

/** The demo user (and sign-in name) of a unit. */
export const unitUserId = (unitId: string) => `unit-user-${unitId}`;

/** The demo token of a user under `secret`. */
export function demoToken(secret: string, userId: string): string {
  return `demo_${createHmac('sha256', secret).update(userId).digest('base64url')}`;
}

/** Every demo token under `secret` (whether or not seeded yet). */
export function demoTokens(secret: string): DemoTokens {
  return {
    center: demoToken(secret, demoUsers.center.id),
    supervisor: demoToken(secret, demoUsers.supervisor.id),
    admin: demoToken(secret, demoUsers.admin.id),
    evaluator: demoToken(secret, demoUsers.evaluator.id),
    units: Object.fromEntries(kaifengUnits.map((u) => [u.id, demoToken(secret, unitUserId(u.id))])),
  };
}

/**
 * Seeds units, users and tokens when the directory is empty (no units, no users); otherwise
 * leaves everything as it is.
 *
 * @returns true when it seeded
 */
export async function seedDemo(pool: Pool, secret: string): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Serialise concurrent starters (API and worker processes on one database).
    await client.query('LOCK TABLE units IN EXCLUSIVE MODE');
    const { rows } = await client.query<{ n: number }>('SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM users) AS n');
    if (Number(rows[0].n) > 0) {
      await client.query('ROLLBACK');
      return false;
    }
    // Parents before children: the list is in annex order, parents come first.
    for (const unit of kaifengUnits) await insertUnit(client, newUnitSchema.parse(unit));
    for (const role of ['center', 'supervisor', 'admin', 'evaluator'] as const) {
      const user = demoUsers[role];
      await insertUser(client, { id: user.id, name: user.name, role });
      await issueToken(client, user.id, 'demo', demoToken(secret, user.id));
    }
    for (const unit of kaifengUnits) {
      const userId = unitUserId(unit.id);
      await insertUser(client, { id: userId, name: `${unit.name} 承办员`, role: 'unit', unitId: unit.id });
      await issueToken(client, userId, 'demo', demoToken(secret, userId));
    }
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A demo user's sign-in name and password. */
export interface DemoCredential {
  login: string;
  password: string;
}

/** role → sign-in, and for units: unit id → sign-in (the console's demo users). */
export interface DemoPasswords {
  center: DemoCredential;
  supervisor: DemoCredential;
  admin: DemoCredential;
  units: Record<string, DemoCredential>;
}

/** The demo password of a user under `secret` (derived like the tokens, so it can be printed again). */
export function demoPassword(secret: string, userId: string): string {
  return `demo-${createHmac('sha256', secret).update(`password:${userId}`).digest('base64url').slice(0, 10)}`;
}

/** Every demo sign-in under `secret`. */
export function demoPasswords(secret: string): DemoPasswords {
  const of = (login: string): DemoCredential => ({ login, password: demoPassword(secret, login) });
  return {
    center: of(demoUsers.center.id),
    supervisor: of(demoUsers.supervisor.id),
    admin: of(demoUsers.admin.id),
    units: Object.fromEntries(kaifengUnits.map((u) => [u.id, of(unitUserId(u.id))])),
  };
}

/**
 * Gives every demo user that exists and has no password yet its demo password (scrypt, in
 * parallel on libuv's thread pool). Installations seeded before passwords existed get them too;
 * a password an admin or the user has set is left alone.
 *
 * @returns how many passwords it set
 */
export async function seedDemoPasswords(pool: Pool, secret: string): Promise<number> {
  const ids = [demoUsers.center.id, demoUsers.supervisor.id, demoUsers.admin.id, ...kaifengUnits.map((u) => unitUserId(u.id))];
  const { rows } = await pool.query<{ id: string }>(
    'SELECT u.id FROM users u LEFT JOIN user_passwords p ON p.user_id = u.id WHERE u.id = ANY ($1) AND p.user_id IS NULL',
    [ids],
  );
  const hashes = await Promise.all(rows.map(async (r) => [r.id, await hashPassword(demoPassword(secret, r.id))] as const));
  if (!hashes.length) return 0;
  await pool.query(
    `INSERT INTO user_passwords (user_id, password_hash, updated_by)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (user_id) DO NOTHING`,
    [hashes.map((h) => h[0]), hashes.map((h) => h[1]), hashes.map(() => 'demo-seed')],
  );
  return hashes.length;
}
