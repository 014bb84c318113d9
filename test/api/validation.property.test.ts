/**
 * The validation layer, property-based (fast-check): for every field of every body, query and
 * path schema of every operation in /openapi.json, an arbitrary value (text with NUL, lone
 * surrogates and control characters, dates of any year and offset, numbers of any size, nested
 * JSON) either validates to values PostgreSQL stores and reads back unchanged (text, jsonb,
 * timestamptz, date, integer), or is refused with 400 whose issues all name a field — the
 * mutated one when its text broke the boundary rule (domain/storable.ts).
 */
import { Client } from '@temporalio/client';
import fc from 'fast-check';
import type { Pool } from 'pg';
import request from 'supertest';
import { adminRoutes } from '../../api/admin/router';
import { calendarRoutes } from '../../api/calendar/router';
import { authRoutes } from '../../api/auth/router';
import { callerHistoryRoutes } from '../../api/tickets/callerHistory';
import { extensionLimitRoutes } from '../../api/tickets/extensionLimit';
import { unitSearchRoutes } from '../../api/units/search';
import { createApp } from '../../api/app';
import { HttpError } from '../../api/http/errors';
import type { RouteSpec } from '../../api/http/route';
import { parseRequest } from '../../api/http/validate';
import { createLogger } from '../../api/logger';
import { notificationRoutes } from '../../api/notifications/router';
import { reportRoutes } from '../../api/reports/router';
import { ticketRoutes } from '../../api/tickets/router';
import type { TicketService } from '../../api/tickets/service';
import { unitRoutes } from '../../api/units/router';
import { unstorableReason } from '../../domain/storable';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

const now = () => new Date('2026-03-02T01:00:00Z');
const noPool = {} as Pool;
const specs: RouteSpec<any>[] = [
  ...ticketRoutes({ service: {} as TicketService, pool: noPool, now }),
  ...unitRoutes({ pool: noPool }),
  ...notificationRoutes({ pool: noPool }),
  ...reportRoutes({ pool: noPool, now }),
  ...adminRoutes({ pool: noPool, clock: { now, advanceTo: async () => ({ now: 0, steps: 0, settled: true }) }, now }),
  ...authRoutes({ pool: noPool }),
  ...unitSearchRoutes({ pool: noPool }),
  ...callerHistoryRoutes({ pool: noPool }),
  ...extensionLimitRoutes({ service: {} as TicketService, pool: noPool }),
  ...calendarRoutes({ pool: noPool, temporal: {} as Client, now, warnDays: 60 }),
];
/** Documented, but mounted before authentication with its own small parser (api/auth/router.ts),
 * or operations' probes that take no input at all (ops/routes.ts). */
const documentOnly = ['POST /auth/sign-in', 'GET /livez', 'GET /readyz', 'GET /metrics'];
const key = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;

/** A valid request of every operation: each property mutates one field of it. */
type Example = { params?: Record<string, string>; query?: Record<string, string>; body?: Record<string, unknown> };
const wo = { id: '20260302000001' };
const examples: Record<string, Example> = {
  'POST /tickets': { body: { callerName: '张三', callerPhone: '13800001111', summary: '路灯不亮', category: 'complaint' } },
  'GET /tickets': { query: { text: '路灯', createdFrom: '2026-03-01', createdTo: '2026-03-02T00:00:00+08:00', page: '1' } },
  'GET /tickets/:id': { params: wo },
  'GET /tickets/:id/events': { params: wo, query: { afterSeq: '3', limit: '10' } },
  'POST /tickets/:id/pre-brief': { params: wo, body: { reached: true, note: '已联系' } },
  'POST /tickets/:id/instruction': { params: wo, body: { instruction: '请尽快办理' } },
  'POST /tickets/:id/dispatch': { params: wo, body: { mainUnitId: 'kf-047', coUnitIds: ['kf-025'], instruction: '请办理' } },
  'POST /tickets/:id/return-review': { params: wo, body: { approved: true, nextMainUnitId: 'kf-046', reason: '职责不符' } },
  'POST /tickets/:id/extension-review': { params: wo, body: { approved: true, reason: '同意' } },
  'POST /tickets/:id/reply-review': { params: wo, body: { accepted: true, reason: '答复规范' } },
  'POST /tickets/:id/callback': { params: wo, body: { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied', note: '满意' } },
  'POST /tickets/:id/expert-ruling': { params: wo, body: { ruling: 'upheld', reason: '评价成立' } },
  'POST /tickets/:id/withdraw': { params: wo, body: { reason: '市民撤回' } },
  'POST /tickets/:id/supervise': { params: wo, body: { reason: '督办', trigger: 'manual' } },
  'POST /tickets/:id/sign': { params: wo, body: { note: '已签收' } },
  'POST /tickets/:id/return': { params: wo, body: { reason: '非本单位职责' } },
  'POST /tickets/:id/contact': { params: wo, body: { reached: true, person: '王五', note: '电话联系' } },
  'POST /tickets/:id/extension': { params: wo, body: { workingDays: 5, reason: '需要协调' } },
  'POST /tickets/:id/reply': {
    params: wo,
    body: {
      resultType: 'resolved',
      firstContactAt: '2026-03-02T02:00:00Z',
      firstContactPerson: '王五',
      facts: '控制箱故障',
      answer: '已更换',
      answeredAt: '2026-03-02T03:00:00+08:00',
      attachments: [{ name: '照片', url: 'https://example.org/a.jpg' }],
    },
  },
  'GET /units': {},
  'GET /units/:id': { params: { id: 'kf-047' } },
  'GET /notifications': { query: { kind: 'urge', unread: 'true', since: '2026-03-01T00:00:00Z', workOrderId: wo.id, page: '2', pageSize: '20' } },
  'POST /notifications/:id/read': { params: { id: '20260302000001:1:unit:kf-047' } },
  'GET /reports/monthly': { query: { month: '2026-03', format: 'csv' } },
  'GET /units/:id/scores': { params: { id: 'kf-047' }, query: { month: '2026-03' } },
  'POST /admin/units': { body: { id: 'kf-200', name: '测试单位', kind: 'level1', supervisingDepartment: '市政府', webhookUrl: 'https://example.org/h' } },
  'PATCH /admin/units/:id': { params: { id: 'kf-047' }, body: { name: '新名称', supervisingDepartment: '市政府', active: true } },
  'GET /admin/users': { query: { role: 'unit', unitId: 'kf-047' } },
  'POST /admin/users': { body: { id: 'u-9', name: '李四', role: 'center', password: '初始密码12345' } },
  'PATCH /admin/users/:id': { params: { id: 'u-9' }, body: { name: '李四', role: 'unit', unitId: 'kf-047', active: false } },
  'GET /admin/users/:id/tokens': { params: { id: 'u-9' } },
  'POST /admin/users/:id/tokens': { params: { id: 'u-9' }, body: { label: '手机' } },
  'DELETE /admin/users/:id/tokens/:tokenId': { params: { id: 'u-9', tokenId: '0b5f3d5e-9f3a-4c1e-8f43-7c1f1f6f1a2b' } },
  'GET /admin/audit': { query: { page: '1', pageSize: '10' } },
  'GET /admin/calendar': {},
  'PUT /admin/calendar/exceptions/:date': { params: { date: '2027-01-01' }, body: { kind: 'holiday', note: '元旦' } },
  'DELETE /admin/calendar/exceptions/:date': { params: { date: '2027-01-01' } },
  'PUT /admin/calendar/office-hours': { body: { officeHours: null } },
  'GET /admin/profiles': {},
  'GET /admin/profile': {},
  'PUT /admin/profile': { body: { profileId: 'kaifeng-001', overrides: {} } },
  'GET /admin/clock': {},
  'POST /admin/clock/advance': { body: { by: '2h' } },
  'PUT /admin/users/:id/password': { params: { id: 'u-9' }, body: { password: '新的密码12345' } },
  'GET /auth/me': {},
  'POST /auth/sign-out': {},
  'POST /auth/password': { body: { currentPassword: 'old-password', newPassword: '新的密码12345' } },
  'GET /unit-search': { query: { q: 'scszm', limit: '5' } },
  'GET /caller-history': { query: { phone: '13800001111', limit: '5' } },
  'GET /tickets/:id/extension-limit': { params: wo },
  'GET /calendar/status': {},
  'GET /admin/phone-reveals': { query: { workOrderId: wo.id, userId: 'unit-user-kf-047', page: '1', pageSize: '20' } },
  'POST /reports/scored-events': { body: { unitId: 'kf-047', event: 'extensionMisused', at: '2026-03-05T10:00:00+08:00', reason: '滥用延期', workOrderId: wo.id } },
  'GET /reports/scored-events': { query: { month: '2026-03' } },
  'GET /reports/dashboard': { query: { period: '2026-03' } },
  'GET /reports/monthly/export': { query: { month: '2026-03', format: 'xlsx' } },
  'GET /reports/monthly/breakdown': { query: { month: '2026-03', unit: 'kf-047' } },
  'GET /reports/trend': { query: { to: '2026-03', months: '12', unit: 'kf-047' } },
  'GET /reports/supervisions': { query: { status: 'open', method: 'written', unit: 'kf-047', workOrderId: wo.id, openedFrom: '2026-03-01T00:00:00+08:00', openedTo: '2026-03-31T00:00:00+08:00', page: '1', pageSize: '20', format: 'json' } },
  'GET /reports/lists/:list': { params: { list: 'unsatisfied' }, query: { month: '2026-03', unit: 'kf-047', page: '1', pageSize: '20', format: 'json' } },
  'GET /reports/work-orders/export': { query: { stage: 'awaitingDispatch', unit: 'kf-047', format: 'csv' } },
  'GET /admin/calendar/years': {},
  'GET /admin/calendar/years/:year': { params: { year: '2027' } },
  'POST /admin/calendar/years/:year/preview': { params: { year: '2027' }, body: { format: 'json', holidays: ['2027-01-01'], makeUpWorkdays: [] } },
  'PUT /admin/calendar/years/:year': { params: { year: '2027' }, body: { format: 'csv', csv: 'date,kind\n2027-01-01,holiday' } },
};

// ---- Arbitrary values ---------------------------------------------------------------------------

const nasty = fc.constantFrom('\u0000', '\ud800', '\udfff', '\u0001', '\u001b', '\u007f', '\t', '\n', '\r', '\u2028', '\ufeff', '😀', '中', '%00', "'", '\\', '"');
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(nasty, fc.string({ maxLength: 3 })), { maxLength: 8 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
);
const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
const dateText = fc
  .record({
    y: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1890, max: 2030 })),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 24 }),
    mi: fc.integer({ min: 0, max: 60 }),
    frac: fc.constantFrom('', '.5', '.123', '.1234567'),
    off: fc.oneof(fc.constant('Z'), fc.integer({ min: -24 * 60, max: 24 * 60 }).map((m) => `${m < 0 ? '-' : '+'}${pad(Math.trunc(m / 60))}:${pad(m % 60)}`)),
    dateOnly: fc.boolean(),
  })
  .map(({ y, mo, d, h, mi, frac, off, dateOnly }) => {
    const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
    return dateOnly ? date : `${date}T${pad(h)}:${pad(mi)}:00${frac}${off}`;
  });
const number = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.integer({ min: 2 ** 31 - 3, max: 2 ** 31 + 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e21, 1e308, -0, 0.5, 366, 61),
);
const deep = fc.integer({ min: 1, max: 60 }).map((n) => {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
});
/** Any JSON value a client could send in a body. */
const bodyValue = fc.oneof(text, dateText, number, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }), deep, fc.array(text, { maxLength: 3 }));
/** What a path or query string can carry: text (also repeated `?x=a&x=b`). */
const stringValue = fc.oneof(text, dateText, number.map(String), number.map(String), fc.array(text, { minLength: 2, maxLength: 3 }));

// ---- What PostgreSQL gives back -----------------------------------------------------------------

let db: TestPostgres;
beforeAll(async () => {
  db = await startTestPostgres();
}, 120_000);
afterAll(() => db?.stop());

function leaves(value: unknown, out: { strings: string[]; numbers: number[] } = { strings: [], numbers: [] }) {
  if (typeof value === 'string') out.strings.push(value);
  else if (typeof value === 'number') out.numbers.push(value);
  else if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.strings.push(k);
      leaves(v, out);
    }
  }
  return out;
}

interface FieldSchema {
  type?: string | string[];
  format?: string;
  anyOf?: FieldSchema[];
  oneOf?: FieldSchema[];
}
const formatsOf = (s: FieldSchema | undefined): string[] =>
  s ? [...(s.format ? [s.format] : []), ...[...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap(formatsOf)] : [];
const typesOf = (s: FieldSchema | undefined): string[] =>
  s ? [...[s.type ?? []].flat(), ...[...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap(typesOf)] : [];

/** Stores the parsed request in PostgreSQL the ways the service does and expects it back unchanged. */
async function expectStoredUnchanged(parsed: Record<string, unknown>, field: FieldSchema | undefined, value: unknown): Promise<void> {
  const { strings, numbers } = leaves(parsed);
  const json = JSON.stringify(parsed);
  const { rows } = await db.pool.query<{ t: string[]; j: unknown; n: number[] }>('SELECT $1::text[] AS t, $2::jsonb AS j, $3::float8[] AS n', [
    strings,
    json,
    numbers,
  ]);
  expect(rows[0].t).toEqual(strings);
  expect(rows[0].j).toEqual(JSON.parse(json));
  expect(rows[0].n).toEqual(numbers.map((n) => (Object.is(n, -0) ? 0 : n)).map(Number));
  // The mutated field as its own column type.
  const formats = formatsOf(field);
  const types = typesOf(field);
  if (typeof value === 'string' && formats.length) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const r = await db.pool.query<{ d: string }>("SELECT to_char($1::date, 'YYYY-MM-DD') AS d", [value]);
      expect(r.rows[0].d).toBe(value);
    } else {
      const r = await db.pool.query<{ ms: string }>('SELECT (extract(epoch FROM $1::timestamptz) * 1000)::bigint::text AS ms', [value]);
      expect(Number(r.rows[0].ms)).toBe(Date.parse(value));
    }
  }
  if (types.includes('integer')) {
    for (const n of leaves(value).numbers.length ? leaves(value).numbers : [Number(value)]) {
      if (!Number.isFinite(n)) continue;
      const r = await db.pool.query<{ i: number }>('SELECT $1::int4 AS i', [n]);
      expect(r.rows[0].i).toBe(n);
    }
  }
}

// ---- The properties -----------------------------------------------------------------------------

interface Field {
  op: string;
  part: 'params' | 'query' | 'body';
  name: string;
  schema?: FieldSchema;
}

let fields: Field[] = [];
let documentOps: string[] = [];
beforeAll(async () => {
  const app = createApp({
    temporal: new Client(),
    pool: noPool,
    clock: { now, advanceTo: async () => ({ now: 0, steps: 0, settled: true }) },
    config: { sandbox: true },
    logger: createLogger('silent'),
  });
  const doc = (await request(app).get('/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: FieldSchema }[]; requestBody?: any }>>;
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const name = key(method, path);
      documentOps.push(name);
      if (documentOnly.includes(name)) continue;
      for (const p of op.parameters ?? []) {
        if (p.in === 'path') fields.push({ op: name, part: 'params', name: p.name, schema: p.schema });
        if (p.in === 'query') fields.push({ op: name, part: 'query', name: p.name, schema: p.schema });
      }
      const body = op.requestBody?.content?.['application/json']?.schema as { properties?: Record<string, FieldSchema> } | undefined;
      for (const [prop, schema] of Object.entries(body?.properties ?? {})) fields.push({ op: name, part: 'body', name: prop, schema });
      // An unknown field too: the boundary rule covers what no schema names.
      if (op.requestBody) fields.push({ op: name, part: 'body', name: 'unexpectedField' });
    }
  }
});

test('every operation of the document has an example here, and the examples are valid', () => {
  expect(documentOps.filter((op) => !documentOnly.includes(op)).sort()).toEqual(Object.keys(examples).sort());
  expect(specs.map((s) => key(s.method, s.path)).sort()).toEqual(documentOps.filter((op) => !documentOnly.includes(op)).sort());
  for (const spec of specs) {
    const ex = examples[key(spec.method, spec.path)];
    expect(() => parseRequest(spec.schemas, { params: ex.params ?? {}, query: ex.query ?? {}, headers: {}, body: ex.body })).not.toThrow();
  }
  expect(fields.length).toBeGreaterThan(100);
});

test('every field of every operation: stored unchanged, or 400 naming the field', async () => {
  const counts = { accepted: 0, refused: 0 };
  for (const field of fields) {
    const [method, path] = field.op.split(' ');
    const spec = specs.find((s) => s.method === method.toLowerCase() && s.path === path)!;
    const ex = examples[field.op];
    await fc.assert(
      fc.asyncProperty(field.part === 'body' ? bodyValue : stringValue, async (value) => {
        const input = {
          params: { ...ex.params },
          query: { ...ex.query } as Record<string, unknown>,
          headers: {},
          body: ex.body === undefined && field.part !== 'body' ? undefined : ({ ...ex.body } as Record<string, unknown>),
        };
        (input[field.part] as Record<string, unknown>)[field.name] = value;
        let parsed;
        try {
          parsed = parseRequest(spec.schemas, input);
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          expect(error.status).toBe(400);
          expect(error.issues?.length).toBeGreaterThan(0);
          for (const issue of error.issues!) expect(issue.path).toMatch(/^(params|query|body|headers)(\.|$)/);
          // Text the boundary refuses is refused on this very field.
          if (leaves(value).strings.some((s) => unstorableReason(s, true))) {
            expect(error.issues!.some((i) => i.path.startsWith(`${field.part}.${field.name}`))).toBe(true);
          }
          counts.refused++;
          return;
        }
        counts.accepted++;
        await expectStoredUnchanged(parsed as Record<string, unknown>, field.schema, value);
      }),
      { numRuns: 30, seed: 11 },
    );
  }
  // Both outcomes happen, so the property is about something.
  expect(counts.accepted).toBeGreaterThan(200);
  expect(counts.refused).toBeGreaterThan(1000);
}, 300_000);
