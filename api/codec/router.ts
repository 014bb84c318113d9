/**
 * The remote codec endpoint (Temporal's remote codec protocol): `POST /codec/encode` and
 * `POST /codec/decode`, body and answer `{"payloads":[{"metadata":{k: base64},"data": base64}]}`.
 * Point the Temporal web UI's codec endpoint at `<API>/codec` so an administrator sees decoded
 * histories; histories themselves stay encrypted (temporal/payloadCodec.ts).
 *
 * How the Temporal web UI calls it (its data-encoder service): `POST <endpoint>/decode` with
 * `Content-Type: application/json` and `X-Namespace` (so a browser sends a CORS preflight first);
 * with `TEMPORAL_CODEC_PASS_ACCESS_TOKEN` (HTTPS only) `Authorization: Bearer <its access
 * token>`; with `TEMPORAL_CODEC_INCLUDE_CREDENTIALS` the browser's cookies (`credentials:
 * 'include'`), here the console's session cookie.
 *
 * Access: administrators only, by bearer token or by the console's session cookie. A browser
 * request (it names its `Origin`) must come from one of `corsOrigins` or from the service's own
 * origin, else 403 — this, with the cookie's SameSite=Strict, is what keeps another site from
 * decoding with an administrator's cookie (the UI cannot send the console's CSRF token; both
 * calls only compute, they change nothing).
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type RequestHandler, type Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findSession, sessionCookieOf } from '../auth/sessions';
import { userForToken, type AuthUser, type TokenLookup } from '../http/auth';
import { HttpError } from '../http/errors';

export interface CodecEndpointOptions {
  pool: Pool;
  /** Callers of bearer tokens kept in memory; absent: read each time. */
  tokens?: TokenLookup;
  codec: PayloadCodec;
  /** Origins (scheme://host:port) allowed to call from a browser. */
  corsOrigins: string[];
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const wirePayloads = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .max(10_000),
});
type WirePayloads = z.infer<typeof wirePayloads>;

const fromWire = (body: WirePayloads): Payload[] =>
  body.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));

const toWire = (payloads: Payload[]): WirePayloads => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});

/** The service's own origin as the browser names it (same-origin calls carry it on POST). */
const ownOrigin = (req: express.Request) => `${req.protocol}://${req.get('host') ?? ''}`;

/** CORS for the web UI: only listed origins, credentials allowed, preflight answered; other browser origins refused. */
function cors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    const allowed = !!origin && origins.includes(origin);
    if (allowed) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
    }
    res.vary('Origin');
    if (req.method === 'OPTIONS') {
      res.status(allowed ? 204 : 403).end();
      return;
    }
    if (origin && !allowed && origin !== ownOrigin(req)) {
      throw new HttpError(403, 'ORIGIN_NOT_ALLOWED', `origin ${origin} may not call the codec endpoint (CODEC_CORS_ORIGINS)`);
    }
    next();
  };
}

/**
 * The caller: a valid bearer token, else the console's session cookie. The web UI may send its
 * own (OIDC) access token and the cookie together; an unknown token then falls back to the cookie.
 */
function authenticateCodecCaller(pool: Pool, tokens?: TokenLookup): RequestHandler {
  return async (req, res, next) => {
    let user: AuthUser | undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer) {
      const found = tokens ? await tokens.lookup(bearer) : await userForToken(pool, bearer);
      if (found?.unitActive) {
        const { unitActive: _, ...rest } = found;
        user = rest;
      }
    }
    const cookie = user ? undefined : sessionCookieOf(req);
    if (cookie) user = (tokens?.session ? await tokens.session(cookie) : await findSession(pool, cookie))?.user;
    if (!user) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'UNAUTHORIZED', 'an administrator\'s bearer token or console session cookie is required');
    }
    res.locals.user = user;
    next();
  };
}

/** The router; mount it at `/codec` before the app's own JSON body limit. */
export function codecRouter(options: CodecEndpointOptions): Router {
  const router = express.Router();
  router.use(cors(options.corsOrigins));
  router.use(express.json({ limit: '8mb' }));
  router.use(authenticateCodecCaller(options.pool, options.tokens));
  router.use((_req, res, next) => {
    if ((res.locals.user as { role?: string }).role !== 'admin') throw new HttpError(403, 'FORBIDDEN', '仅管理员可解码工作流数据');
    next();
  });
  for (const direction of ['encode', 'decode'] as const) {
    router.post(`/${direction}`, async (req, res) => {
      const parsed = wirePayloads.safeParse(req.body);
      if (!parsed.success) {
        throw new HttpError(400, 'INVALID_INPUT', 'body must be {"payloads":[{"metadata":{...},"data":"<base64>"}]}');
      }
      const payloads = fromWire(parsed.data);
      let result: Payload[];
      try {
        result = direction === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      } catch (error) {
        throw new HttpError(400, 'CODEC_FAILED', (error as Error).message);
      }
      res.json(toWire(result));
    });
  }
  return router;
}
