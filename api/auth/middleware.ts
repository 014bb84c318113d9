/**
 * Authentication of every API call: a bearer token (integrations, scripts) or the console's
 * session cookie. With the cookie, a state-changing call must carry the session's CSRF token
 * (`X-CSRF-Token`); SameSite=Strict already keeps other sites' requests from sending the cookie,
 * the token also covers browsers that ignore SameSite.
 */
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import { authenticate, type TokenLookup } from '../http/auth';
import { HttpError } from '../http/errors';
import { csrfMatches, findSession, sessionCookieOf } from './sessions';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sets `res.locals.user` (and `res.locals.session` with a cookie), or answers 401/403. */
export function authenticateBearerOrSession(pool: Pool, tokens?: TokenLookup): RequestHandler {
  const bearer = authenticate(pool, tokens);
  return async (req, res, next) => {
    const cookie = req.get('authorization') ? undefined : sessionCookieOf(req);
    if (!cookie) return bearer(req, res, next);
    const session = tokens?.session ? await tokens.session(cookie) : await findSession(pool, cookie);
    if (!session) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'SESSION_EXPIRED', 'the session has expired or ended; sign in again');
    }
    if (!safeMethods.has(req.method) && !csrfMatches(req, session)) {
      throw new HttpError(403, 'CSRF_TOKEN_INVALID', 'missing or wrong X-CSRF-Token for a call made with the session cookie');
    }
    res.locals.user = session.user;
    res.locals.session = session;
    next();
  };
}
