/**
 * The first administrator of an installation that starts without demo data (issue 15): made by
 * `npm run create-admin` (scripts/create-admin.ts), which prints its one-time token once.
 */
import type { Pool } from 'pg';
import { audit, getUser, insertUser, issueToken } from '../api/admin/usersRepository';

/** True when at least one active user has the role `admin`. */
export async function hasActiveAdmin(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query("SELECT 1 FROM users WHERE role = 'admin' AND active LIMIT 1");
  return rows.length > 0;
}

export interface CreatedAdmin {
  userId: string;
  /** The bearer token, shown once: the database keeps its SHA-256 only. */
  token: string;
  /** false when the user already existed and only a new token was issued. */
  created: boolean;
}

/**
 * Creates an administrator (or, for an existing active administrator with that id, issues a
 * new token: the way back in when the only admin token is lost) and records it in the audit.
 *
 * @throws when `userId` belongs to a user that is not an active administrator
 */
export async function createAdmin(pool: Pool, userId: string, name: string): Promise<CreatedAdmin> {
  const existing = await getUser(pool, userId);
  if (existing && (existing.role !== 'admin' || !existing.active)) {
    throw new Error(`user ${userId} exists and is not an active administrator; choose another --id`);
  }
  if (!existing) await insertUser(pool, { id: userId, name, role: 'admin' });
  const issued = await issueToken(pool, userId, 'create-admin');
  await audit(pool, userId, existing ? 'token.issue' : 'user.create', {
    id: userId,
    role: 'admin',
    via: 'create-admin',
    tokenId: issued.info.id,
  });
  return { userId, token: issued.token, created: !existing };
}
