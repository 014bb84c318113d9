/**
 * A schema-driven fuzz of the API from its own /openapi.json: every operation, every role, with
 * path, query and body values that are plausible or hostile (NUL, lone surrogates, control
 * characters, undecodable percent-encoding, deep nesting, huge strings and numbers, dates
 * PostgreSQL cannot hold, integers beyond their column, wrong types, malformed JSON, bad
 * Content-Encoding). It counts what came back; issue 11 asks for 0 × 5xx, 0 answers slower than
 * 10 s and every 400 naming a field.
 *
 * Used by test/api/fuzz.test.ts (bounded) and bench/fuzz-openapi.ts (the full run that prints
 * its counts).
 */
import type { Express } from 'express';
import request from 'supertest';

export type Who = 'center' | 'supervisor' | 'admin' | { unit: string };

export interface FuzzOptions {
  /** Requests per operation and role. */
  perOperation: number;
  seed: number;
  /** An answer slower than this is a hang (default 10 s). */
  hangMs?: number;
  /** Path parameter values that exist (a work order of the unit, a unit, a user...). */
  known: { workOrderId: string; unitId: string; userId: string };
  roles: Who[];
}

export interface FuzzFinding {
  method: string;
  url: string;
  who: string;
  status: number;
  detail: string;
}

export interface FuzzReport {
  requests: number;
  operations: number;
  byStatus: Record<string, number>;
  serverErrors: FuzzFinding[];
  hangs: FuzzFinding[];
  unnamed400s: FuzzFinding[];
  slowestMs: number;
}

interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: unknown;
}

/** A small seeded PRNG (mulberry32): the same seed, the same requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)], chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const deep = (n: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const hostileStrings = [
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '\u0001\u001b[31m',
  '\u007f',
  '😀\ud83d',
  'x'.repeat(5000),
  '中'.repeat(100_000),
  '',
  ' ',
  '%',
  '%C3%28',
  '%00',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '0000-01-01T00:00:00Z',
  '0000-01-01',
  '2026-03-01T00:00:00+16:00',
  '2026-03-01T00:00:00-23:59',
  '99999-01-01T00:00:00Z',
  '2026-02-30',
  '2026-03-01T00:00:00.1234567Z',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '1e400',
  '-0',
  'NaN',
  'null',
  '__proto__',
];
const hostileNumbers = [2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308, -1e308, -1, 0, 0.5, 1e-300, 366, 10_000];
const hostileAny = () => [null, true, [], {}, [[[]]], { __proto__: { admin: true } }, deep(40), deep(3000)];

const plausibleString = (rng: Rng, name: string, schema: JsonSchema, known: FuzzOptions['known']): unknown => {
  if (schema.format === 'date-time') return '2026-03-02T10:00:00+08:00';
  if (schema.format === 'date') return '2027-01-02';
  if (schema.format === 'uri' || /url$/i.test(name)) return 'https://example.org/fuzz';
  if (/unitIds$/i.test(name)) return [known.unitId];
  if (/unitId$|parentId$/i.test(name)) return known.unitId;
  if (/phone/i.test(name)) return '13800001111';
  if (/month/i.test(name)) return '2026-03';
  if (name === 'by' || /within/i.test(name)) return '2h';
  if (name === 'id') return `fuzz-${Math.floor(rng.next() * 1e6)}`;
  if (/secret/i.test(name)) return 'a-webhook-secret-0123456789';
  return '模糊测试';
};

/** The values the issue's fuzz found harmful, tried more often than the rest. */
const knownHarmful = ['a\u0000b', '\ud800', '0000-01-01T00:00:00Z', '2026-03-01T00:00:00+16:00', '0000-01-01', '2147483648', 2 ** 31];

function hostileValue(rng: Rng): unknown {
  const kind = rng.next();
  if (kind < 0.3) return rng.pick(knownHarmful);
  if (kind < 0.7) return rng.pick(hostileStrings);
  if (kind < 0.9) return rng.pick(hostileNumbers);
  return rng.pick(hostileAny());
}

/**
 * A body for `schema`: plausible in every field but one (most of the time), which is hostile —
 * so the request gets past the other fields' validation to where a bad value could do harm.
 */
function bodyFor(rng: Rng, schema: JsonSchema, known: FuzzOptions['known']): unknown {
  if (rng.chance(0.1)) return hostileValue(rng);
  const body = valueFor(rng, 'body', schema, known, 0, 0);
  const names = Object.keys(schema.properties ?? {});
  if (body && typeof body === 'object' && !Array.isArray(body) && rng.chance(0.85)) {
    const name = names.length && rng.chance(0.9) ? rng.pick(names) : 'unexpected';
    (body as Record<string, unknown>)[name] = hostileValue(rng);
  }
  return body;
}

/** A value for `schema`: plausible, or (with probability `hostile`) something hostile. */
function valueFor(rng: Rng, name: string, schema: JsonSchema | undefined, known: FuzzOptions['known'], depth = 0, hostile = 0.5): unknown {
  if (!schema || rng.chance(hostile)) {
    if (rng.chance(0.3)) return rng.pick(knownHarmful);
    const kind = rng.next();
    if (kind < 0.6) return rng.pick(hostileStrings);
    if (kind < 0.85) return rng.pick(hostileNumbers);
    return rng.pick(hostileAny());
  }
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return valueFor(rng, name, rng.pick(variants), known, depth, hostile);
  if (schema.enum?.length) return rng.pick(schema.enum);
  const type = [schema.type ?? 'string'].flat().find((t) => t !== 'null') ?? 'null';
  switch (type) {
    case 'integer':
      return /days/i.test(name) ? 3 : 1;
    case 'number':
      return 0.5;
    case 'boolean':
      return rng.chance(0.5);
    case 'array': {
      const item = valueFor(rng, name, schema.items, known, depth + 1, hostile / 2);
      return depth > 3 ? [] : [item].flat(/unitIds$/i.test(name) ? 1 : 0);
    }
    case 'object': {
      if (depth > 3) return {};
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(k) || rng.chance(0.5)) out[k] = valueFor(rng, k, s, known, depth + 1, hostile / 2);
      }
      return out;
    }
    case 'null':
      return null;
    default:
      return plausibleString(rng, name, schema, known);
  }
}

/** encodeURIComponent that also encodes lone surrogates (as their WTF-8 bytes, invalid UTF-8). */
function encodeLoose(text: string): string {
  return text.replace(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g, (ch) => {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) {
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
    return encodeURIComponent(ch);
  });
}

const pathValues = ['%', '%C3%28', '%00', '%ED%A0%80', '%E0%A4%A', 'x'.repeat(400), '..%2F..%2Fetc', '0000-01-01', '%2F'];

function pathParam(rng: Rng, name: string, schema: JsonSchema | undefined, path: string, known: FuzzOptions['known']): string {
  if (rng.chance(0.3)) return rng.pick(pathValues);
  if (schema?.format === 'date') return '2027-01-03';
  if (schema?.format === 'uuid') return '0b5f3d5e-9f3a-4c1e-8f43-7c1f1f6f1a2b';
  if (path.startsWith('/tickets')) return known.workOrderId;
  if (path.startsWith('/units') || path.startsWith('/admin/units')) return known.unitId;
  if (path.startsWith('/admin/users')) return known.userId;
  return encodeLoose(String(valueFor(rng, name, schema, known, 0, 0)));
}

/**
 * Runs the fuzz against `app` (a supertest target) and counts the answers.
 *
 * @param auth - headers of each role (`t.auth`)
 */
export async function fuzzOpenApi(app: Express, auth: (who: Who) => Record<string, string>, options: FuzzOptions): Promise<FuzzReport> {
  const rng = prng(options.seed);
  const hangMs = options.hangMs ?? 10_000;
  const doc = (await request(app).get('/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema?: JsonSchema }[]; requestBody?: any }>>;
  };
  const report: FuzzReport = { requests: 0, operations: 0, byStatus: {}, serverErrors: [], hangs: [], unnamed400s: [], slowestMs: 0 };
  for (const [docPath, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      report.operations++;
      for (const who of [...options.roles, 'anonymous' as const]) {
        for (let i = 0; i < options.perOperation; i++) {
          const params = op.parameters ?? [];
          const url =
            docPath.replace(/\{(\w+)\}/g, (_m, name: string) =>
              pathParam(rng, name, params.find((p) => p.in === 'path' && p.name === name)?.schema, docPath, options.known),
            ) +
            (() => {
              const query = params
                .filter((p) => p.in === 'query' && rng.chance(0.5))
                .map((p) => {
                  const v = valueFor(rng, p.name, p.schema, options.known);
                  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
                  // Sometimes raw (a broken escape) rather than encoded.
                  return `${p.name}=${rng.chance(0.2) ? text.replace(/[^%\w-]/g, encodeLoose) : encodeLoose(text)}`;
                });
              return query.length ? `?${query.join('&')}` : '';
            })();
          let req = (request(app) as any)[method](url) as request.Test;
          if (who !== 'anonymous') req = req.set(auth(who));
          if (rng.chance(0.3)) req = req.set('Idempotency-Key', rng.pick(['k1', 'x'.repeat(300), '', 'k\u00ff']));
          const schema = op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
          if (schema || rng.chance(0.2)) {
            const style = rng.next();
            req = req.set('Content-Type', 'application/json');
            if (style < 0.05) req = req.set('Content-Encoding', rng.pick(['gzip', 'br', 'compress', 'deflate'])).send('{"plain":true}');
            else if (style < 0.1) req = req.send(rng.pick(['{', '{"a":', '[1,]', '\u0000', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":1e400}']));
            else if (style < 0.13) req = req.send(JSON.stringify({ a: 'x'.repeat(200_000) }));
            else if (style < 0.16) req = req.send('{"a":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}');
            else req = req.send(JSON.stringify(bodyFor(rng, schema ?? { type: 'object' }, options.known)) ?? 'null');
          }
          const started = Date.now();
          const whoName = typeof who === 'string' ? who : `unit:${who.unit}`;
          let res: request.Response;
          try {
            res = await req.timeout(hangMs);
          } catch (error) {
            report.requests++;
            // Only a timeout is the service's fault; anything else would be the fuzz's own bug.
            if (!(error as { timeout?: number }).timeout) throw error;
            report.hangs.push({ method, url: url.slice(0, 200), who: whoName, status: 0, detail: String(error).slice(0, 200) });
            continue;
          }
          const ms = Date.now() - started;
          report.slowestMs = Math.max(report.slowestMs, ms);
          report.requests++;
          report.byStatus[res.status] = (report.byStatus[res.status] ?? 0) + 1;
          const finding = { method, url: url.slice(0, 200), who: whoName, status: res.status, detail: JSON.stringify(res.body).slice(0, 300) };
          if (res.status >= 500) report.serverErrors.push(finding);
          if (ms > hangMs) report.hangs.push(finding);
          if (res.status === 400) {
            const issues = res.body?.issues as { path?: string }[] | undefined;
            if (!issues?.length || !issues.every((x) => typeof x.path === 'string' && /^(params|query|body|headers)(\.|$)/.test(x.path))) {
              report.unnamed400s.push(finding);
            }
          }
        }
      }
    }
  }
  return report;
}
