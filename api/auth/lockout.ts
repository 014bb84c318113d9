/**
 * Slows down password guessing, counted twice: per sign-in name (after `maxFailures` failed
 * sign-ins for one name within `window`, that name is locked for `lockFor`, whatever the
 * password) and per client address (one address guessing across many names; a higher limit,
 * since a hotline center's operators may share one address behind its NAT or proxy). A locked
 * name or address gets 429 with Retry-After. The address is express's `req.ip`: the socket's,
 * or with TRUST_PROXY the one the trusted proxy names in X-Forwarded-For.
 */
import type { Pool } from 'pg';

export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  lockForMs: number;
}

export const defaultLockout: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockForMs: 15 * 60_000 };
/** Per address: 20 failures in 15 minutes (any names) lock the address for 15 minutes. */
export const defaultAddressLockout: LockoutPolicy = { maxFailures: 20, windowMs: 15 * 60_000, lockForMs: 15 * 60_000 };

/** What is counted: a sign-in name, or a client address. */
export type LockoutSubject = { login: string } | { address: string };

const tableOf = (subject: LockoutSubject) =>
  'login' in subject ? { table: 'sign_in_failures', column: 'login', key: subject.login } : { table: 'sign_in_address_failures', column: 'address', key: subject.address };

/** When the name or address is locked, until when; otherwise undefined. */
export async function lockedUntil(pool: Pool, subject: LockoutSubject | string, now: Date): Promise<Date | undefined> {
  const { table, column, key } = tableOf(typeof subject === 'string' ? { login: subject } : subject);
  const { rows } = await pool.query<{ locked_until: Date | null }>(`SELECT locked_until FROM ${table} WHERE ${column} = $1`, [key]);
  const until = rows[0]?.locked_until;
  return until && until > now ? until : undefined;
}

/** Counts a failure; returns the lock's end when this failure locks the name or address. */
export async function recordFailure(pool: Pool, subject: LockoutSubject | string, now: Date, policy: LockoutPolicy = defaultLockout): Promise<Date | undefined> {
  const { table, column, key } = tableOf(typeof subject === 'string' ? { login: subject } : subject);
  const { rows } = await pool.query<{ failures: number; locked_until: Date | null }>(
    `INSERT INTO ${table} (${column}, failures, first_failed_at) VALUES ($1, 1, $2)
     ON CONFLICT (${column}) DO UPDATE SET
       failures = CASE WHEN ${table}.first_failed_at < $2::timestamptz - $3 * interval '1 millisecond'
                       THEN 1 ELSE ${table}.failures + 1 END,
       first_failed_at = CASE WHEN ${table}.first_failed_at < $2::timestamptz - $3 * interval '1 millisecond'
                       THEN $2 ELSE ${table}.first_failed_at END
     RETURNING failures, locked_until`,
    [key, now, policy.windowMs],
  );
  if (rows[0].failures < policy.maxFailures) return undefined;
  const until = new Date(now.getTime() + policy.lockForMs);
  await pool.query(`UPDATE ${table} SET locked_until = $2, failures = 0, first_failed_at = $3 WHERE ${column} = $1`, [key, until, now]);
  return until;
}

/**
 * A successful sign-in clears the name's count. An address's count is not cleared: one known
 * password must not reset the count of guesses at the others.
 */
export async function clearFailures(pool: Pool, login: string): Promise<void> {
  await pool.query('DELETE FROM sign_in_failures WHERE login = $1', [login]);
}
