/**
 * Users and their API tokens. A token is returned once, when issued; the database keeps only
 * its SHA-256.
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { unitIdSchema } from '../../domain/workorder';
import { Role, hashToken, newToken, roles } from '../http/auth';
import { inTransaction } from '../../db/transaction';
import { authChanged } from '../http/authChanged';
import { newPasswordSchema } from '../auth/passwords';

export const userIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only');

export const newUserSchema = z
  .object({
    id: userIdSchema,
    name: z.string().trim().min(1).max(100),
    role: z.enum(roles),
    unitId: unitIdSchema.optional(),
    /** A console password to start with (so the user can sign in at once); never stored in clear, never audited. */
    password: newPasswordSchema.optional(),
  })
  .refine((u) => (u.role === 'unit') === (u.unitId !== undefined), {
    message: 'unitId is required for role unit and not allowed for other roles',
    path: ['unitId'],
  });
export type NewUser = z.infer<typeof newUserSchema>;

/**
 * A change of a user (issue 14): name, role and unit, active. Absent fields keep their value; a
 * role other than `unit` clears the unit, role `unit` needs one (given, or the user's own).
 */
export const userPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    role: z.enum(roles).optional(),
    unitId: unitIdSchema.nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine((p) => !(p.role !== undefined && p.role !== 'unit' && typeof p.unitId === 'string'), {
    message: 'unitId is only allowed for role unit',
    path: ['unitId'],
  });
export type UserPatch = z.infer<typeof userPatchSchema>;

export const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(roles),
  unitId: z.string().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
  /** Whether the user has a console password (may sign in). */
  hasPassword: z.boolean(),
});
export type User = z.infer<typeof userSchema>;

export const tokenInfoSchema = z.object({
  id: z.string(),
  userId: z.string(),
  label: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

interface UserRow {
  id: string;
  name: string;
  role: Role;
  unit_id: string | null;
  active: boolean;
  created_at: Date;
  has_password: boolean;
}
const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  role: r.role,
  unitId: r.unit_id,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  hasPassword: r.has_password,
});

const userColumns = `u.id, u.name, u.role, u.unit_id, u.active, u.created_at,
  EXISTS (SELECT 1 FROM user_passwords p WHERE p.user_id = u.id) AS has_password`;

export async function listUsers(pool: Pool, filter: { role?: Role; unitId?: string } = {}): Promise<User[]> {
  const { rows } = await pool.query<UserRow>(
    `SELECT ${userColumns} FROM users u
      WHERE ($1::text IS NULL OR u.role = $1) AND ($2::text IS NULL OR u.unit_id = $2) ORDER BY u.id`,
    [filter.role ?? null, filter.unitId ?? null],
  );
  return rows.map(toUser);
}

export async function getUser(pool: Pool | PoolClient, id: string): Promise<User | undefined> {
  const { rows } = await pool.query<UserRow>(`SELECT ${userColumns} FROM users u WHERE u.id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : undefined;
}

export async function insertUser(db: Pool | PoolClient, user: NewUser): Promise<void> {
  await db.query('INSERT INTO users (id, name, role, unit_id) VALUES ($1, $2, $3, $4)', [
    user.id,
    user.name,
    user.role,
    user.unitId ?? null,
  ]);
}

export async function setUserActive(pool: Pool | PoolClient, id: string, active: boolean): Promise<boolean> {
  const { rowCount } = await pool.query('UPDATE users SET active = $2 WHERE id = $1', [id, active]);
  return (rowCount ?? 0) > 0;
}

/** Applies a checked change (the caller resolved role and unit together); false when no such user. */
export async function updateUser(
  db: Pool | PoolClient,
  id: string,
  change: { name?: string; role?: Role; unitId?: string | null; active?: boolean },
): Promise<boolean> {
  const columns: Record<string, string> = { name: 'name', role: 'role', unitId: 'unit_id', active: 'active' };
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [key, column] of Object.entries(columns)) {
    const value = (change as Record<string, unknown>)[key];
    if (value === undefined) continue;
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  }
  if (sets.length === 0) return (await getUser(db, id)) !== undefined;
  const { rowCount } = await db.query(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, values);
  return (rowCount ?? 0) > 0;
}

/**
 * Issues a token for a user.
 *
 * @param token - a given token (the demo seed derives its tokens); a random one by default
 * @returns the token (shown once) and its record
 */
export async function issueToken(
  db: Pool | PoolClient,
  userId: string,
  label: string,
  token: string = newToken(),
): Promise<{ token: string; info: TokenInfo }> {
  const id = randomUUID();
  const { rows } = await db.query<{ created_at: Date }>(
    'INSERT INTO api_tokens (id, user_id, token_hash, label) VALUES ($1, $2, $3, $4) RETURNING created_at',
    [id, userId, hashToken(token), label],
  );
  return { token, info: { id, userId, label, createdAt: rows[0].created_at.toISOString(), revokedAt: null } };
}

export async function listTokens(pool: Pool, userId: string): Promise<TokenInfo[]> {
  const { rows } = await pool.query<{ id: string; user_id: string; label: string; created_at: Date; revoked_at: Date | null }>(
    'SELECT id, user_id, label, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at',
    [userId],
  );
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    label: r.label,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

/** Revokes a token of a user; false when there is no such active token. */
export async function revokeToken(pool: Pool | PoolClient, userId: string, tokenId: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
    [tokenId, userId],
  );
  return (rowCount ?? 0) > 0;
}

/** Records who changed the directory (every action records its actor). */
export async function audit(pool: Pool | PoolClient, userId: string, action: string, detail: Record<string, unknown>): Promise<void> {
  await pool.query('INSERT INTO admin_audit (user_id, action, detail) VALUES ($1, $2, $3)', [userId, action, JSON.stringify(detail)]);
}

/**
 * Makes a change and records its audit row in one transaction: both are stored, or neither (a
 * change the audit could not record is rolled back, so no unaudited change remains).
 *
 * @param change - the change, on the transaction's client; its result goes to `detail`
 * @param detail - the audit row's detail (no secrets), from the change's result
 * @example
 * await audited(pool, user.id, 'unit.create', (db) => insertUnit(db, body), () => withoutSecret(body));
 */
export async function audited<T>(
  pool: Pool,
  userId: string,
  action: string,
  change: (db: PoolClient) => Promise<T>,
  detail: (result: T) => Record<string, unknown>,
): Promise<T> {
  const result = await inTransaction(pool, async (db) => {
    const result = await change(db);
    await audit(db, userId, action, detail(result));
    return result;
  });
  // A change of users, units or tokens takes effect at once in this process's token cache,
  // before it is answered (other processes learn it from PostgreSQL's notification).
  authChanged();
  return result;
}

export interface AuditEntry {
  id: number;
  at: string;
  userId: string;
  action: string;
  detail: Record<string, unknown>;
}

/** The directory's change log, newest first. */
export async function listAudit(pool: Pool, page: { page: number; pageSize: number }): Promise<AuditEntry[]> {
  const { rows } = await pool.query<{ id: string; at: Date; user_id: string; action: string; detail: Record<string, unknown> }>(
    'SELECT id, at, user_id, action, detail FROM admin_audit ORDER BY id DESC LIMIT $1 OFFSET $2',
    [page.pageSize, (page.page - 1) * page.pageSize],
  );
  return rows.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), userId: r.user_id, action: r.action, detail: r.detail }));
}
