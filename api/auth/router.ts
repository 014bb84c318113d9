/**
 * Sign-in for people: POST /auth/sign-in (public), and for the signed-in user GET /auth/me,
 * POST /auth/sign-out, POST /auth/password; for admins PUT /admin/users/:id/password.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { audit, getUser, userIdSchema } from '../admin/usersRepository';
import { roles, type AuthUser } from '../http/auth';
import { HttpError, notFound } from '../http/errors';
import { route, type RouteSpec } from '../http/route';
import { parseRequest } from '../http/validate';
import { clearFailures, defaultAddressLockout, lockedUntil, recordFailure, type LockoutPolicy } from './lockout';
import { decoyHash, newPasswordSchema, passwordHashOf, setPassword, verifyPassword } from './passwords';
import {
  clearSessionCookie,
  createSession,
  endSession,
  endSessionsOf,
  sessionCookieOf,
  setSessionCookie,
  type Session,
} from './sessions';

const signInBody = z.object({
  login: z.string().trim().min(1).max(64).meta({ description: 'the sign-in name (the user id)' }),
  password: z.string().min(1).max(200),
});

const meSchema = z.object({
  user: z.object({ id: z.string(), name: z.string(), role: z.enum(roles), unitId: z.string().optional(), unitName: z.string().optional() }),
  csrfToken: z.string().optional().meta({ description: 'with a session: send it as X-CSRF-Token on every POST/PUT/PATCH/DELETE' }),
  expiresAt: z.string().optional(),
});

async function describeUser(pool: Pool, user: AuthUser) {
  if (!user.unitId) return { ...user };
  const { rows } = await pool.query<{ name: string }>('SELECT name FROM units WHERE id = $1', [user.unitId]);
  return { ...user, unitName: rows[0]?.name };
}

async function meOf(pool: Pool, user: AuthUser, session: Session | undefined) {
  return {
    user: await describeUser(pool, user),
    ...(session ? { csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() } : {}),
  };
}

/**
 * The public sign-in endpoint (mounted before authentication), described in `registry`.
 * It parses its own JSON body so it does not depend on where the app parses bodies.
 */
export function signInRouter(
  pool: Pool,
  registry: OpenAPIRegistry,
  lockout?: LockoutPolicy,
  addressLockout: LockoutPolicy = defaultAddressLockout,
): Router {
  registry.registerPath({
    method: 'post',
    path: '/auth/sign-in',
    summary: 'Sign in with user name and password (the web console); sets the session cookie',
    description:
      'Answers 200 with the user and the CSRF token and sets `hl_session` (HttpOnly, SameSite=Strict, Secure over HTTPS, 8 h). ' +
      'Wrong name or password: 401 SIGN_IN_FAILED. After 5 failures within 15 minutes the name is locked for 15 minutes, ' +
      'and after 20 failures within 15 minutes (any names) from one client address that address is: 429 SIGN_IN_LOCKED with Retry-After.',
    tags: ['auth'],
    request: { body: { content: { 'application/json': { schema: signInBody } } } },
    responses: {
      200: { description: 'signed in', content: { 'application/json': { schema: meSchema } } },
      401: { description: 'wrong user name or password' },
      429: { description: 'too many failed sign-ins: locked for a while' },
    },
  });
  const router = express.Router();
  router.post('/auth/sign-in', express.json({ limit: '4kb' }), async (req, res) => {
    const { body } = parseRequest({ body: signInBody }, { params: {}, query: {}, body: req.body });
    const now = new Date();
    // The client's address (the socket's, or the trusted proxy's X-Forwarded-For: TRUST_PROXY).
    const address = { address: req.ip ?? req.socket.remoteAddress ?? 'unknown' };
    const refuseLocked = (until: Date) => {
      res.set('Retry-After', String(Math.ceil((until.getTime() - now.getTime()) / 1000)));
      return new HttpError(429, 'SIGN_IN_LOCKED', `too many failed sign-ins; try again after ${until.toISOString()}`);
    };
    // The address first: a locked address costs no password hashing.
    const locked = (await lockedUntil(pool, address, now)) ?? (await lockedUntil(pool, body.login, now));
    if (locked) throw refuseLocked(locked);
    const stored = await passwordHashOf(pool, body.login);
    const ok = await verifyPassword(body.password, stored ?? decoyHash);
    if (!stored || !ok) {
      const nameLocked = await recordFailure(pool, body.login, now, lockout);
      const addressLocked = await recordFailure(pool, address, now, addressLockout);
      const lockedNow = nameLocked ?? addressLocked;
      if (lockedNow) throw refuseLocked(lockedNow);
      throw new HttpError(401, 'SIGN_IN_FAILED', 'wrong user name or password');
    }
    await clearFailures(pool, body.login);
    const user = await getUser(pool, body.login);
    if (!user || !user.active) throw new HttpError(401, 'SIGN_IN_FAILED', 'wrong user name or password');
    const authUser: AuthUser = { id: user.id, name: user.name, role: user.role, ...(user.unitId ? { unitId: user.unitId } : {}) };
    const { cookieValue, session } = await createSession(pool, authUser, now);
    setSessionCookie(req, res, cookieValue, session.expiresAt);
    res.set('Cache-Control', 'no-store');
    res.json(await meOf(pool, authUser, session));
  });
  return router;
}

/** The signed-in user's routes and the admin's password reset (mounted after authentication). */
export function authRoutes(deps: { pool: Pool }): RouteSpec<any>[] {
  const { pool } = deps;
  return [
    route({
      method: 'get',
      path: '/auth/me',
      summary: 'Who is signed in (session or bearer token), with the CSRF token of a session',
      tags: ['auth'],
      roles: roles,
      schemas: {},
      responses: { 200: { description: 'the user', schema: meSchema } },
      handler: async ({ res, user }) => {
        res.set('Cache-Control', 'no-store');
        res.json(await meOf(pool, user, res.locals.session as Session | undefined));
      },
    }),
    route({
      method: 'post',
      path: '/auth/sign-out',
      summary: 'End the current session and clear its cookie (with a bearer token: nothing to end)',
      tags: ['auth'],
      roles: roles,
      schemas: {},
      responses: { 204: { description: 'signed out' } },
      handler: async ({ req, res }) => {
        const cookie = sessionCookieOf(req);
        if (cookie) await endSession(pool, cookie);
        clearSessionCookie(req, res);
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/auth/password',
      summary: 'Change your own password (your other sessions end)',
      tags: ['auth'],
      roles: roles,
      schemas: { body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: newPasswordSchema }) },
      responses: { 204: { description: 'changed' }, 403: { description: 'the current password is wrong (WRONG_PASSWORD)' } },
      handler: async ({ req, res, user, body }) => {
        const stored = await passwordHashOf(pool, user.id);
        if (!stored || !(await verifyPassword(body.currentPassword, stored))) {
          throw new HttpError(403, 'WRONG_PASSWORD', 'the current password is wrong');
        }
        await setPassword(pool, user.id, body.newPassword, user.id);
        await endSessionsOf(pool, user.id, sessionCookieOf(req));
        await audit(pool, user.id, 'password.change', { userId: user.id });
        res.status(204).end();
      },
    }),
    route({
      method: 'put',
      path: '/admin/users/:id/password',
      summary: "Set or reset a user's password (the user's sessions end)",
      tags: ['admin'],
      roles: ['admin'],
      schemas: { params: z.object({ id: userIdSchema }), body: z.object({ password: newPasswordSchema }) },
      responses: { 204: { description: 'set' }, 404: { description: 'no such user' } },
      handler: async ({ res, user, params, body }) => {
        if (!(await getUser(pool, params.id))) throw notFound('user');
        await setPassword(pool, params.id, body.password, user.id);
        await endSessionsOf(pool, params.id);
        await clearFailures(pool, params.id);
        await audit(pool, user.id, 'password.set', { userId: params.id });
        res.status(204).end();
      },
    }),
  ];
}
