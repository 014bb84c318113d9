/**
 * The remote codec endpoint (Temporal's remote codec protocol): `POST /codec/encode` and
 * `POST /codec/decode`, body and answer `{"payloads":[{"metadata":{k: base64},"data": base64}]}`.
 * Point the Temporal web UI's codec endpoint at `<API>/codec` so an administrator sees decoded
 * histories; histories themselves stay encrypted (temporal/payloadCodec.ts).
 *
 * Access: administrators only (bearer token); browsers from `corsOrigins` only (the web UI).
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type RequestHandler, type Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { authenticate } from '../http/auth';
import { HttpError } from '../http/errors';

export interface CodecEndpointOptions {
  pool: Pool;
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

/** CORS for the web UI: only listed origins, credentials allowed, preflight answered. */
function cors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && origins.includes(origin)) {
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
      res.status(origin && origins.includes(origin) ? 204 : 403).end();
      return;
    }
    next();
  };
}

/** The router; mount it at `/codec` before the app's own JSON body limit. */
export function codecRouter(options: CodecEndpointOptions): Router {
  const router = express.Router();
  router.use(cors(options.corsOrigins));
  router.use(express.json({ limit: '8mb' }));
  router.use(authenticate(options.pool));
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
