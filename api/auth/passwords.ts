/**
 * Passwords stored with scrypt (node:crypto; memory-hard, no native add-on to install), in the
 * self-describing form `scrypt$N$r$p$salt$hash` so the cost can be raised later without
 * invalidating stored hashes.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';

const scrypt = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** OWASP's scrypt minimum (N=2^17 would be stronger but takes 128 MiB per sign-in). */
const cost = { N: 1 << 14, r: 8, p: 1 };
const keyLength = 32;

/** A new password: 8 to 200 characters (long pass phrases welcome). */
export const newPasswordSchema = z.string().min(8, 'at least 8 characters').max(200);

/** The stored form of `password`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, keyLength, { ...cost, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches a stored hash (constant-time comparison). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash nobody's password matches, verified for unknown users so timing does not tell. */
export const decoyHash = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Stores (or replaces) a user's password. */
export async function setPassword(db: Pool | PoolClient, userId: string, password: string, by: string): Promise<void> {
  const hash = await hashPassword(password);
  await db.query(
    `INSERT INTO user_passwords (user_id, password_hash, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [userId, hash, by],
  );
}

/** The stored hash of an active user's password, or undefined. */
export async function passwordHashOf(pool: Pool, userId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ password_hash: string }>(
    'SELECT p.password_hash FROM user_passwords p JOIN users u ON u.id = p.user_id WHERE p.user_id = $1 AND u.active',
    [userId],
  );
  return rows[0]?.password_hash;
}
