/**
 * /admin: the directory (units, users, tokens), the hotline's calendar and SLA profile, and in
 * sandbox mode the engine's clock. Every change is recorded in `admin_audit` with its actor;
 * secrets (tokens, webhook keys) never enter the audit or the logs.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { chinaUtcOffsetMinutes } from '../../domain/calendar';
import { officePeriodSchema } from '../../domain/dataSchemas';
import { calendarExceptionSchema } from '../../domain/holidays';
import { profileIds, resolveProfile, shippedProfiles } from '../../domain/profile';
import { isoDateSchema } from '../../domain/storableSchemas';
import { unitIdSchema, workOrderIdSchema } from '../../domain/workorder';
import { roles } from '../http/auth';
import { durationSchema } from '../http/duration';
import { HttpError, notFound } from '../http/errors';
import { RouteSpec, route } from '../http/route';
import {
  calendarFor,
  deleteException,
  getSettings,
  listExceptions,
  putException,
  saveOfficeHours,
  saveProfileChoice,
} from '../hotline/repository';
import { listPhoneReveals } from '../tickets/phoneReveals';
import { getUnit, insertUnit, newUnitSchema, unitPatchSchema, unitSchema, updateUnit, wouldCycle } from '../units/repository';
import {
  audit,
  audited,
  getUser,
  insertUser,
  issueToken,
  listAudit,
  listTokens,
  listUsers,
  newUserSchema,
  revokeToken,
  tokenInfoSchema,
  updateUser,
  userIdSchema,
  userPatchSchema,
  userSchema,
} from './usersRepository';
import { setPassword } from '../auth/passwords';

/** The engine clock's handle in sandbox mode. */
export interface SandboxClock {
  now(): Date;
  /** Steps through every due timer up to `to`, each at its own instant, until their effects are recorded. */
  advanceTo(to: Date): Promise<{ now: number; steps: number; settled: boolean }>;
}

const admin = ['admin'] as const;
const withoutSecret = <T extends { webhookSecret?: unknown }>(v: T) => {
  const { webhookSecret, ...rest } = v;
  return { ...rest, ...(webhookSecret !== undefined ? { webhookSecret: webhookSecret === null ? null : '(set)' } : {}) };
};
const dateParams = z.object({ date: isoDateSchema() });

/** 400 naming `unitId` unless `id` is an active unit (a deactivated unit takes no new users). */
async function requireActiveUnit(pool: Pool, id: string): Promise<void> {
  const unit = await getUnit(pool, id);
  if (!unit || !unit.active) {
    throw new HttpError(400, 'INVALID_INPUT', 'invalid input: body.unitId', [
      { path: 'body.unitId', message: unit ? `unit '${id}' is deactivated` : `unknown unit '${id}'`, code: unit ? 'unit_inactive' : 'unknown_unit' },
    ]);
  }
}

/** 400 for a unique or foreign-key violation the client caused. */
function constraintError(error: unknown, field: string): never {
  const code = (error as { code?: string })?.code;
  if (code === '23505') throw new HttpError(409, 'ALREADY_EXISTS', `${field} already exists`);
  if (code === '23503') throw new HttpError(400, 'INVALID_INPUT', `invalid input: body.${field}`, [{ path: `body.${field}`, message: 'refers to nothing' }]);
  throw error;
}

export function adminRoutes(deps: { pool: Pool; clock: SandboxClock | null; now: () => Date; afterAdvance?: () => void }): RouteSpec<any>[] {
  const { pool } = deps;
  return [
    // ---- units ----
    route({
      method: 'post',
      path: '/admin/units',
      summary: 'Add a unit',
      tags: ['admin'],
      roles: admin,
      schemas: { body: newUnitSchema },
      responses: { 201: { description: 'the unit', schema: unitSchema }, 409: { description: 'id or name taken' } },
      handler: async ({ res, user, body }) => {
        if (body.parentId && !(await getUnit(pool, body.parentId))) {
          throw new HttpError(400, 'INVALID_INPUT', 'invalid input: body.parentId', [{ path: 'body.parentId', message: `unknown unit '${body.parentId}'` }]);
        }
        await audited(pool, user.id, 'unit.create', (db) => insertUnit(db, body), () => withoutSecret(body)).catch((e: unknown) =>
          constraintError(e, 'id or name'),
        );
        res.status(201).location(`/units/${body.id}`).json(await getUnit(pool, body.id));
      },
    }),
    route({
      method: 'patch',
      path: '/admin/units/:id',
      summary: 'Change a unit (name, place in the tree, webhook, active)',
      tags: ['admin'],
      roles: admin,
      schemas: { params: z.object({ id: unitIdSchema }), body: unitPatchSchema },
      responses: { 200: { description: 'the unit', schema: unitSchema }, 404: { description: 'no such unit' } },
      handler: async ({ res, user, params, body }) => {
        if (!(await getUnit(pool, params.id))) throw notFound('unit');
        if (body.parentId) {
          if (!(await getUnit(pool, body.parentId))) {
            throw new HttpError(400, 'INVALID_INPUT', 'invalid input: body.parentId', [{ path: 'body.parentId', message: `unknown unit '${body.parentId}'` }]);
          }
          if (body.parentId === params.id || (await wouldCycle(pool, params.id, body.parentId))) {
            throw new HttpError(400, 'INVALID_INPUT', 'invalid input: body.parentId', [{ path: 'body.parentId', message: 'would make the tree a cycle' }]);
          }
        }
        await audited(pool, user.id, 'unit.update', (db) => updateUnit(db, params.id, body), () => ({ id: params.id, ...withoutSecret(body) })).catch(
          (e: unknown) => constraintError(e, 'name'),
        );
        res.json(await getUnit(pool, params.id));
      },
    }),
    // ---- users and tokens ----
    route({
      method: 'get',
      path: '/admin/users',
      summary: 'List users',
      tags: ['admin'],
      roles: admin,
      schemas: { query: z.object({ role: z.enum(roles).optional(), unitId: unitIdSchema.optional() }) },
      responses: { 200: { description: 'users', schema: z.object({ items: z.array(userSchema) }) } },
      handler: async ({ res, query }) => {
        res.json({ items: await listUsers(pool, query) });
      },
    }),
    route({
      method: 'post',
      path: '/admin/users',
      summary: 'Add a user; answers with a first token (shown once)',
      tags: ['admin'],
      roles: admin,
      schemas: { body: newUserSchema },
      responses: { 201: { description: 'the user and its token', schema: z.object({ user: userSchema, token: z.string() }) } },
      handler: async ({ res, user, body }) => {
        if (body.unitId) await requireActiveUnit(pool, body.unitId);
        const { password, ...withoutPassword } = body;
        const { token } = await audited(
          pool,
          user.id,
          'user.create',
          async (db) => {
            await insertUser(db, withoutPassword);
            if (password !== undefined) await setPassword(db, body.id, password, user.id);
            return issueToken(db, body.id, 'initial');
          },
          // The password never enters the audit, only that one was set.
          () => ({ ...withoutPassword, passwordSet: password !== undefined }),
        ).catch((e: unknown) => constraintError(e, 'id'));
        res.status(201).json({ user: await getUser(pool, body.id), token });
      },
    }),
    route({
      method: 'patch',
      path: '/admin/users/:id',
      summary: 'Change a user: name, role and unit, active (deactivated users cannot sign in or use their tokens)',
      description:
        'A role other than `unit` clears the unit; role `unit` needs an active unit (given, or the user’s own). ' +
        'An administrator cannot deactivate or demote themself (409 SELF_LOCKOUT). Changing role, unit or active ends the user’s console sessions.',
      tags: ['admin'],
      roles: admin,
      schemas: { params: z.object({ id: userIdSchema }), body: userPatchSchema },
      responses: {
        200: { description: 'the user', schema: userSchema },
        404: { description: 'no such user' },
        409: { description: 'SELF_LOCKOUT: you cannot deactivate or demote yourself' },
      },
      handler: async ({ res, user, params, body }) => {
        const current = await getUser(pool, params.id);
        if (!current) throw notFound('user');
        if (params.id === user.id && (body.active === false || (body.role !== undefined && body.role !== 'admin'))) {
          throw new HttpError(409, 'SELF_LOCKOUT', 'an administrator cannot deactivate or demote themself; ask another administrator');
        }
        const role = body.role ?? current.role;
        const unitId = role === 'unit' ? (body.unitId ?? current.unitId) : null;
        if (role === 'unit') {
          if (!unitId) {
            throw new HttpError(400, 'INVALID_INPUT', 'invalid input: body.unitId', [{ path: 'body.unitId', message: 'required for role unit', code: 'required' }]);
          }
          if (unitId !== current.unitId || body.unitId !== undefined) await requireActiveUnit(pool, unitId);
        } else if (typeof body.unitId === 'string') {
          throw new HttpError(400, 'INVALID_INPUT', 'invalid input: body.unitId', [{ path: 'body.unitId', message: 'only allowed for role unit' }]);
        }
        const change = {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.role !== undefined ? { role } : {}),
          ...(role !== current.role || unitId !== current.unitId ? { unitId } : {}),
          ...(body.active !== undefined ? { active: body.active } : {}),
        };
        const endsSessions = change.role !== undefined || change.unitId !== undefined || body.active === false;
        await audited(
          pool,
          user.id,
          'user.update',
          async (db) => {
            if (!(await updateUser(db, params.id, change))) throw notFound('user');
            if (endsSessions) await db.query('DELETE FROM console_sessions WHERE user_id = $1', [params.id]);
          },
          () => ({ id: params.id, ...change }),
        );
        res.json(await getUser(pool, params.id));
      },
    }),
    route({
      method: 'get',
      path: '/admin/users/:id/tokens',
      summary: "A user's tokens (never the tokens themselves)",
      tags: ['admin'],
      roles: admin,
      schemas: { params: z.object({ id: userIdSchema }) },
      responses: { 200: { description: 'tokens', schema: z.object({ items: z.array(tokenInfoSchema) }) } },
      handler: async ({ res, params }) => {
        if (!(await getUser(pool, params.id))) throw notFound('user');
        res.json({ items: await listTokens(pool, params.id) });
      },
    }),
    route({
      method: 'post',
      path: '/admin/users/:id/tokens',
      summary: 'Issue a token (shown once; stored as SHA-256)',
      tags: ['admin'],
      roles: admin,
      schemas: { params: z.object({ id: userIdSchema }), body: z.object({ label: z.string().trim().max(100).default('') }) },
      responses: { 201: { description: 'the token', schema: z.object({ token: z.string(), info: tokenInfoSchema }) } },
      handler: async ({ res, user, params, body }) => {
        if (!(await getUser(pool, params.id))) throw notFound('user');
        const issued = await audited(
          pool,
          user.id,
          'token.issue',
          (db) => issueToken(db, params.id, body.label),
          (r) => ({ userId: params.id, tokenId: r.info.id, label: body.label }),
        );
        res.status(201).json(issued);
      },
    }),
    route({
      method: 'delete',
      path: '/admin/users/:id/tokens/:tokenId',
      summary: 'Revoke a token',
      tags: ['admin'],
      roles: admin,
      schemas: { params: z.object({ id: userIdSchema, tokenId: z.uuid() }) },
      responses: { 204: { description: 'revoked' }, 404: { description: 'no such active token' } },
      handler: async ({ res, user, params }) => {
        await audited(
          pool,
          user.id,
          'token.revoke',
          async (db) => {
            if (!(await revokeToken(db, params.id, params.tokenId))) throw notFound('token');
          },
          () => ({ userId: params.id, tokenId: params.tokenId }),
        );
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/admin/audit',
      summary: 'Who changed the directory, calendar, profile or clock, and when (newest first)',
      tags: ['admin'],
      roles: admin,
      schemas: {
        query: z.object({
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: { 200: { description: 'entries' } },
      handler: async ({ res, query }) => {
        res.json({ items: await listAudit(pool, query) });
      },
    }),
    route({
      method: 'get',
      path: '/admin/phone-reveals',
      summary: "Every time a person was shown a caller's phone: who, when, which work order (newest first), and how many match (`total`)",
      tags: ['admin'],
      roles: admin,
      schemas: {
        query: z.object({
          workOrderId: workOrderIdSchema.optional(),
          userId: z.string().min(1).max(200).optional(),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: { 200: { description: 'reveals' } },
      handler: async ({ res, query }) => {
        res.json(await listPhoneReveals(pool, query));
      },
    }),
    // ---- calendar ----
    route({
      method: 'get',
      path: '/admin/calendar',
      summary: "The hotline's office hours and calendar exceptions, and the calendar new work orders get",
      tags: ['admin'],
      roles: admin,
      schemas: {},
      responses: { 200: { description: 'the calendar' } },
      handler: async ({ res }) => {
        const [settings, exceptions] = await Promise.all([getSettings(pool), listExceptions(pool)]);
        const effective = await calendarFor(pool, deps.now()).catch((e: Error) => ({ error: e.message }));
        res.json({ officeHours: settings.officeHours, exceptions, effective });
      },
    }),
    route({
      method: 'put',
      path: '/admin/calendar/exceptions/:date',
      summary: 'Set a day as holiday (休) or workday (班), e.g. next year’s State Council schedule',
      tags: ['admin'],
      roles: admin,
      schemas: { params: dateParams, body: calendarExceptionSchema.omit({ date: true }) },
      responses: { 200: { description: 'stored' } },
      handler: async ({ res, user, params, body }) => {
        const exception = { date: params.date, ...body };
        await audited(pool, user.id, 'calendar.exception.put', (db) => putException(db, exception, user.id), () => exception);
        res.json(exception);
      },
    }),
    route({
      method: 'delete',
      path: '/admin/calendar/exceptions/:date',
      summary: "Remove a day's exception",
      tags: ['admin'],
      roles: admin,
      schemas: { params: dateParams },
      responses: { 204: { description: 'removed' }, 404: { description: 'no exception that day' } },
      handler: async ({ res, user, params }) => {
        await audited(
          pool,
          user.id,
          'calendar.exception.delete',
          async (db) => {
            if (!(await deleteException(db, params.date))) throw notFound('calendar exception');
          },
          () => params,
        );
        res.status(204).end();
      },
    }),
    route({
      method: 'put',
      path: '/admin/calendar/office-hours',
      summary: 'Set the office periods of a working day (null: the default 08:30–12:00, 14:00–17:30)',
      tags: ['admin'],
      roles: admin,
      schemas: {
        body: z.object({
          officeHours: z
            .array(officePeriodSchema)
            .min(1)
            .max(6)
            .refine((ps) => ps.every((p, i) => i === 0 || ps[i - 1].end <= p.start), 'periods must be in order and must not overlap')
            .nullable(),
        }),
      },
      responses: { 200: { description: 'stored' } },
      handler: async ({ res, user, body }) => {
        await audited(pool, user.id, 'calendar.officeHours', (db) => saveOfficeHours(db, body.officeHours, user.id), () => body);
        res.json(body);
      },
    }),
    // ---- SLA profile ----
    route({
      method: 'get',
      path: '/admin/profiles',
      summary: 'The shipped SLA profiles (one per regulation)',
      tags: ['admin'],
      roles: ['admin', 'supervisor', 'center'],
      schemas: {},
      responses: { 200: { description: 'profiles' } },
      handler: ({ res }) => {
        res.json({ items: profileIds.map((id) => shippedProfiles[id]) });
      },
    }),
    route({
      method: 'get',
      path: '/admin/profile',
      summary: "The hotline's SLA profile: chosen base, overrides, the resolved profile, and which work orders it applies to",
      description:
        '`appliesTo`: a work order takes a copy of the profile when it is created, so the profile applies to work orders created from `newWorkOrdersFrom` on; ' +
        '`openWorkOrdersKeepTheirs` open work orders keep the profile they were created with (`openByProfile`: how many per profile id).',
      tags: ['admin'],
      roles: ['admin', 'supervisor', 'center'],
      schemas: {},
      responses: { 200: { description: 'the profile' } },
      handler: async ({ res }) => {
        const settings = await getSettings(pool);
        res.json({
          profileId: settings.profileId,
          overrides: settings.overrides,
          updatedAt: settings.updatedAt,
          updatedBy: settings.updatedBy,
          resolved: resolveProfile(shippedProfiles[settings.profileId], settings.overrides),
          appliesTo: await appliesTo(pool, new Date(settings.updatedAt)),
        });
      },
    }),
    route({
      method: 'put',
      path: '/admin/profile',
      summary: 'Choose the SLA profile and override any of its fields (applies to new work orders)',
      tags: ['admin'],
      roles: admin,
      schemas: { body: z.object({ profileId: z.enum(profileIds), overrides: z.record(z.string(), z.unknown()).default({}) }) },
      responses: { 200: { description: 'the resolved profile' } },
      handler: async ({ res, user, body }) => {
        let resolved;
        try {
          resolved = resolveProfile(shippedProfiles[body.profileId], body.overrides);
        } catch (error) {
          if (!(error instanceof z.ZodError)) throw error;
          const issues = error.issues.map((i) => ({ path: ['body', 'overrides', ...i.path.map(String)].join('.'), message: i.message, code: i.code }));
          throw new HttpError(400, 'INVALID_INPUT', `invalid input: ${issues.map((i) => i.path).join(', ')}`, issues);
        }
        await audited(pool, user.id, 'profile.update', (db) => saveProfileChoice(db, body, user.id), () => body);
        res.json({ profileId: body.profileId, overrides: body.overrides, resolved, appliesTo: await appliesTo(pool, deps.now()) });
      },
    }),
    // ---- sandbox clock ----
    route({
      method: 'get',
      path: '/admin/clock',
      summary: "The engine's time (sandbox: the manual clock)",
      tags: ['admin'],
      roles: ['admin', 'center', 'supervisor', 'unit'],
      schemas: {},
      responses: { 200: { description: 'now', schema: z.object({ now: z.string(), sandbox: z.boolean() }) } },
      handler: ({ res }) => {
        res.json({ now: deps.now().toISOString(), sandbox: deps.clock !== null });
      },
    }),
    ...(deps.clock ? [clockAdvanceRoute(pool, deps.clock, deps.afterAdvance)] : []),
  ];
}

/**
 * Which work orders a profile change reaches: only those created after it. A work order keeps
 * the resolved profile it was created with (api/hotline/repository.ts), so open ones are counted
 * as unchanged, per profile id.
 */
async function appliesTo(pool: Pool, from: Date) {
  const { rows } = await pool.query<{ profile_id: string; n: string }>(
    'SELECT profile_id, count(*) AS n FROM work_orders WHERE closed_at IS NULL GROUP BY profile_id ORDER BY profile_id',
  );
  const openByProfile = Object.fromEntries(rows.map((r) => [r.profile_id, Number(r.n)]));
  return {
    newWorkOrdersFrom: from.toISOString(),
    openWorkOrdersKeepTheirs: rows.reduce((sum, r) => sum + Number(r.n), 0),
    openByProfile,
  };
}

/** `2027-01-04 17:00:00 (+08:00)`: an instant as people read it (Asia/Shanghai). */
export function shanghaiTime(t: Date | number): string {
  const local = new Date((typeof t === 'number' ? t : t.getTime()) + chinaUtcOffsetMinutes * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 19)} (+08:00)`;
}

/** Mounted only in sandbox mode: elsewhere the path does not exist (404). */
function clockAdvanceRoute(pool: Pool, clock: SandboxClock, afterAdvance?: () => void): RouteSpec<any> {
  return (
    route({
      method: 'post',
      path: '/admin/clock/advance',
      summary: 'Sandbox only: move the manual clock forward (by a duration, or to an instant) through every timer due on the way (404 outside sandbox mode)',
      description:
        'Each due timer fires at its own instant, in due order, and its effects (timeline, read model, notifications) are recorded before the next one; the call answers when all are. ' +
        '503 CLOCK_NOT_SETTLED when work stays in flight (no worker running): the clock stops at that instant.',
      tags: ['admin'],
      roles: admin,
      schemas: {
        body: z
          .object({
            by: durationSchema(400 * 86_400_000).optional(),
            to: z.iso.datetime({ offset: true }).optional().describe('an absolute target, ISO 8601 with offset, e.g. 2027-01-04T17:00:00+08:00'),
          })
          .refine((b) => (b.by === undefined) !== (b.to === undefined), { message: 'give exactly one of by, to', path: ['by'] }),
      },
      responses: {
        200: { description: 'the new time', schema: z.object({ now: z.string(), nowLocal: z.string(), steps: z.number() }) },
        404: { description: 'not in sandbox mode' },
      },
      handler: async ({ res, user, body }) => {
        const from = clock.now();
        const target = body.to !== undefined ? new Date(body.to) : new Date(from.getTime() + body.by!);
        if (target.getTime() < from.getTime()) {
          throw new HttpError(400, 'INVALID_INPUT', 'invalid input: body.to', [
            { path: 'body.to', message: `沙箱时钟只能向前：当前为${shanghaiTime(from)}，目标${shanghaiTime(target)}在此之前` },
          ]);
        }
        const result = await clock.advanceTo(target);
        await audit(pool, user.id, 'clock.advance', { from: from.toISOString(), to: target.toISOString(), steps: result.steps });
        afterAdvance?.();
        if (!result.settled) {
          throw new HttpError(
            503,
            'CLOCK_NOT_SETTLED',
            `时钟停在${shanghaiTime(result.now)}：到期的工作未在30秒内处理完（工作进程是否在运行？），请稍后再试`,
          );
        }
        res.json({ now: new Date(result.now).toISOString(), nowLocal: shanghaiTime(result.now), steps: result.steps });
      },
    })
  );
}
