/**
 * Bearer-token authentication. Tokens are random strings shown once; only their SHA-256 is
 * stored (`api_tokens.token_hash`), so a database leak reveals no usable token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { Session } from '../auth/sessions';
import { HttpError } from './errors';

export const roles = ['center', 'unit', 'supervisor', 'admin', 'evaluator'] as const; // evaluator: 专业评价员 (002 三(一))
export type Role = (typeof roles)[number];

/** The caller, from its token. `unitId` is set exactly when `role` is `unit`. */
export interface AuthUser {
  id: string;
  name: string;
  role: Role;
  unitId?: string;
}

/** SHA-256 hex of a token: what the database stores and looks up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token (`hl_` + 32 random bytes, base64url). */
export function newToken(): string {
  return `hl_${randomBytes(32).toString('base64url')}`;
}

/** Where callers of tokens and console sessions are found (the token cache, api/http/tokenCache.ts). */
export interface TokenLookup {
  lookup(token: string): Promise<TokenUser | undefined>;
  /** The live session of a console cookie; absent: `findSession` reads the database. */
  session?(cookieValue: string): Promise<Session | undefined>;
}

const unauthorized = (message: string) => new HttpError(401, 'UNAUTHORIZED', message);

/**
 * Finds the active user of a token, or undefined. `unitActive` is false for a user of a
 * deactivated unit (checked on every request, so a deactivation takes effect at once).
 */
/** The caller of a token, with whether its unit is active. */
export type TokenUser = AuthUser & { unitActive: boolean };

export async function userForToken(pool: Pool, token: string, tokenHash: string = hashToken(token)): Promise<TokenUser | undefined> {
  const { rows } = await pool.query<{ id: string; name: string; role: Role; unit_id: string | null; unit_active: boolean }>(
    `SELECT u.id, u.name, u.role, u.unit_id, (u.unit_id IS NULL OR coalesce(un.active, false)) AS unit_active
       FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN units un ON un.id = u.unit_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { id: row.id, name: row.name, role: row.role, ...(row.unit_id ? { unitId: row.unit_id } : {}), unitActive: row.unit_active };
}

/**
 * Requires `Authorization: Bearer <token>` of an active user; sets `res.locals.user`.
 *
 * @param tokens - callers kept in memory (api/http/tokenCache.ts); absent: the database each time
 */
export function authenticate(pool: Pool, tokens?: TokenLookup): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer');
      throw unauthorized('missing bearer token (Authorization: Bearer <token>)');
    }
    const user = tokens ? await tokens.lookup(match[1]) : await userForToken(pool, match[1]);
    if (!user) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw unauthorized('unknown or revoked token');
    }
    if (!user.unitActive) throw new HttpError(403, 'UNIT_INACTIVE', `unit ${user.unitId} is deactivated`);
    const { unitActive: _, ...authUser } = user;
    res.locals.user = authUser;
    next();
  };
}
