/**
 * Console sessions: an HttpOnly, SameSite=Strict cookie (Secure over HTTPS) holding a random
 * session id, of which only the SHA-256 is stored; a CSRF token per session that every
 * state-changing call made with the cookie must echo in `X-CSRF-Token`. Sessions expire after
 * `sessionTtlMs` (one shift) in real time, whatever the sandbox clock says.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { hashToken, type AuthUser, type Role } from '../http/auth';
import { authChanged } from '../http/authChanged';

export const sessionCookie = 'hl_session';
export const csrfHeader = 'x-csrf-token';
export const sessionTtlMs = 8 * 60 * 60_000;

export interface Session {
  user: AuthUser;
  csrfToken: string;
  expiresAt: Date;
}

/** Starts a session; returns the cookie value (shown once) and the session. */
export async function createSession(pool: Pool, user: AuthUser, now = new Date()): Promise<{ cookieValue: string; session: Session }> {
  const cookieValue = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionTtlMs);
  await pool.query('DELETE FROM console_sessions WHERE expires_at < $1', [now]);
  await pool.query('INSERT INTO console_sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)', [
    hashToken(cookieValue),
    user.id,
    csrfToken,
    expiresAt,
  ]);
  return { cookieValue, session: { user, csrfToken, expiresAt } };
}

/** The live session of a cookie value (an active user, not expired), or undefined. */
export async function findSession(pool: Pool, cookieValue: string, now = new Date()): Promise<Session | undefined> {
  const { rows } = await pool.query<{ id: string; name: string; role: Role; unit_id: string | null; csrf_token: string; expires_at: Date }>(
    `SELECT u.id, u.name, u.role, u.unit_id, s.csrf_token, s.expires_at
       FROM console_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN units un ON un.id = u.unit_id
      WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.active
        AND (u.unit_id IS NULL OR coalesce(un.active, false))`, // a deactivated unit's users are refused at once (issue 11)
    [hashToken(cookieValue), now],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    user: { id: row.id, name: row.name, role: row.role, ...(row.unit_id ? { unitId: row.unit_id } : {}) },
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
  };
}

export async function endSession(pool: Pool, cookieValue: string): Promise<void> {
  await pool.query('DELETE FROM console_sessions WHERE id_hash = $1', [hashToken(cookieValue)]);
  authChanged();
}

/** Ends every session of a user (password reset by an admin, own password change). */
export async function endSessionsOf(pool: Pool, userId: string, except?: string): Promise<void> {
  await pool.query('DELETE FROM console_sessions WHERE user_id = $1 AND ($2::text IS NULL OR id_hash <> $2)', [
    userId,
    except ? hashToken(except) : null,
  ]);
  authChanged();
}

/** The session cookie's value in a request, if any. */
export function sessionCookieOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === sessionCookie) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function setSessionCookie(req: Request, res: Response, value: string, expiresAt: Date): void {
  res.cookie(sessionCookie, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(sessionCookie, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}

/** Constant-time check of the request's CSRF header against the session's token. */
export function csrfMatches(req: Request, session: Session): boolean {
  const sent = Buffer.from(String(req.get(csrfHeader) ?? ''));
  const expected = Buffer.from(session.csrfToken);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}
