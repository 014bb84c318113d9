/**
 * Slows down password guessing: after `maxFailures` failed sign-ins for one sign-in name within
 * `window`, that name is locked for `lockFor` (429 with Retry-After), whatever the password.
 * Counted per name, not per address: the service usually sits behind the hotline's own proxy.
 */
import type { Pool } from 'pg';

export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  lockForMs: number;
}

export const defaultLockout: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockForMs: 15 * 60_000 };

/** When the name is locked, until when; otherwise undefined. */
export async function lockedUntil(pool: Pool, login: string, now: Date): Promise<Date | undefined> {
  const { rows } = await pool.query<{ locked_until: Date | null }>('SELECT locked_until FROM sign_in_failures WHERE login = $1', [login]);
  const until = rows[0]?.locked_until;
  return until && until > now ? until : undefined;
}

/** Counts a failure; returns the lock's end when this failure locks the name. */
export async function recordFailure(pool: Pool, login: string, now: Date, policy: LockoutPolicy = defaultLockout): Promise<Date | undefined> {
  const { rows } = await pool.query<{ failures: number; locked_until: Date | null }>(
    `INSERT INTO sign_in_failures (login, failures, first_failed_at) VALUES ($1, 1, $2)
     ON CONFLICT (login) DO UPDATE SET
       failures = CASE WHEN sign_in_failures.first_failed_at < $2::timestamptz - $3 * interval '1 millisecond'
                       THEN 1 ELSE sign_in_failures.failures + 1 END,
       first_failed_at = CASE WHEN sign_in_failures.first_failed_at < $2::timestamptz - $3 * interval '1 millisecond'
                       THEN $2 ELSE sign_in_failures.first_failed_at END
     RETURNING failures, locked_until`,
    [login, now, policy.windowMs],
  );
  if (rows[0].failures < policy.maxFailures) return undefined;
  const until = new Date(now.getTime() + policy.lockForMs);
  await pool.query('UPDATE sign_in_failures SET locked_until = $2, failures = 0, first_failed_at = $3 WHERE login = $1', [login, until, now]);
  return until;
}

/** A successful sign-in clears the count. */
export async function clearFailures(pool: Pool, login: string): Promise<void> {
  await pool.query('DELETE FROM sign_in_failures WHERE login = $1', [login]);
}
