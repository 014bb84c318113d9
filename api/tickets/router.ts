/**
 * /tickets: create, list, read and act on work orders.
 */
import { z } from 'zod';
import { int4Schema, isoDateSchema, isoDateTimeSchema } from '../../domain/storableSchemas';
import { categorySchema, intakeSchema, stageSchema, urgencySchema, unitIdSchema, workOrderIdSchema } from '../../domain/workorder';
import { workOrderActions, type WorkOrderActionName } from './actions';
import type { Role } from '../http/auth';
import { durationSchema } from '../http/duration';
import { RouteSpec, route } from '../http/route';
import { listTickets, timeline } from './repository';
import { TicketService } from './service';
import { recordPhoneReveals } from './phoneReveals';
import { callerPhoneOf, mask, visibilityFor, type WorkOrderAccess } from './view';
import type { Pool } from 'pg';

const idParams = z.object({ id: workOrderIdSchema });

/** `a,b` or repeated `?x=a&x=b` → array. */
const listOf = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).filter(Boolean)),
    z.array(item).max(20).optional(),
  );
const booleanText = z.enum(['true', 'false']).transform((v) => v === 'true');
const instant = z.union([isoDateTimeSchema(), isoDateSchema()], {
  error: "an ISO date 'YYYY-MM-DD' or date-time with offset, e.g. 2026-03-02T09:00:00+08:00",
});

export const listQuerySchema = z.object({
  stage: listOf(stageSchema),
  unit: unitIdSchema.optional(),
  category: listOf(categorySchema),
  urgency: urgencySchema.optional(),
  overdue: booleanText.optional(),
  dueWithin: durationSchema().optional(),
  createdFrom: instant.optional(),
  createdTo: instant.optional(),
  text: z.string().trim().min(1).max(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  sort: z
    .enum(['created', 'deadline'])
    .default('created')
    .meta({ description: '`created`: newest first; `deadline`: open work orders by nearest next deadline first (the inbox)' }),
});

const ticketStateSchema = z.looseObject({ workOrderId: z.string(), stage: stageSchema }).meta({
  description: 'The live state: stage, clocks with deadlines, extensions, escalations, units, timeline (workflows/types.ts WorkOrderState).',
});
const ticketListSchema = z.object({
  items: z.array(z.looseObject({ id: z.string(), stage: stageSchema, overdue: z.boolean() })),
  page: z.number(),
  pageSize: z.number(),
  total: z.number(),
});

const everyone: readonly Role[] = ['center', 'unit', 'supervisor', 'admin'];
const actionHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Retrying an action with the same key (per user and action) applies it once.' }),
});
const createHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Repeat a request with the same key (per user) to get the same work order, not a second one.' }),
});

export function ticketRoutes(deps: { service: TicketService; pool: Pool; now: () => Date }): RouteSpec<any>[] {
  const { service, pool, now } = deps;
  /** The value as `user` may see it; a caller's phone shown is recorded (issue 12). */
  const respondAll = async <T extends WorkOrderAccess>(user: Parameters<typeof visibilityFor>[0], values: T[], via: string, idOf: (v: T) => string) => {
    const shown = values.filter((v) => visibilityFor(user, v).phone && callerPhoneOf(v) !== undefined);
    await recordPhoneReveals(pool, user, shown.map(idOf), via);
    return values.map((v) => mask(v, visibilityFor(user, v)));
  };
  const respond = async <T extends WorkOrderAccess & { workOrderId: string }>(user: Parameters<typeof visibilityFor>[0], value: T, via: string) =>
    (await respondAll(user, [value], via, (v) => v.workOrderId))[0];

  const actionRoutes = (Object.keys(workOrderActions) as WorkOrderActionName[]).map((name) => {
    const action = workOrderActions[name];
    return route({
      method: 'post',
      path: `/tickets/:id/${name}`,
      summary: `Action: ${name}`,
      description: 'Answers 200 with the new state, 409 `{type, message}` when the work order refuses the action under its rules.',
      tags: ['tickets'],
      roles: action.roles.filter((r): r is Role => r !== 'system'),
      schemas: { params: idParams, headers: actionHeaders, body: action.schema as z.ZodType<Record<string, unknown>> },
      responses: {
        200: { description: 'the new state', schema: ticketStateSchema },
        404: { description: 'no such work order (or not one of the calling unit)' },
        409: { description: 'refused: `type` names the rule (e.g. RETURN_WINDOW_CLOSED)' },
      },
      handler: async ({ res, user, params, headers, body }) => {
        const state = await service.act(user, params.id, name, body, headers['idempotency-key']);
        res.json(await respond(user, state, 'action'));
      },
    });
  });

  return [
    route({
      method: 'post',
      path: '/tickets',
      summary: 'Create a work order (受理) and start its workflow',
      description: 'With an `Idempotency-Key` header, repeating the same request returns the same work order.',
      tags: ['tickets'],
      roles: ['center', 'admin'],
      schemas: { headers: createHeaders, body: intakeSchema },
      responses: {
        201: { description: 'created (or replayed for a repeated Idempotency-Key); Location names it', schema: ticketStateSchema },
        422: { description: 'the Idempotency-Key was used for a different body' },
      },
      handler: async ({ res, user, headers, body }) => {
        const { state, created } = await service.create(user, body, headers['idempotency-key']);
        res
          .status(201)
          .location(`/tickets/${encodeURIComponent(state.workOrderId)}`)
          .set('Idempotent-Replayed', created ? 'false' : 'true')
          .json(await respond(user, state, 'create'));
      },
    }),
    route({
      method: 'get',
      path: '/tickets',
      summary: 'List work orders from the read model (filters, paging)',
      description:
        'Units see only work orders they are main or co-unit of. `overdue=true`: a deadline passed and the obligation is open. `dueWithin=4h`: the next deadline is within that time.',
      tags: ['tickets'],
      roles: everyone,
      schemas: { query: listQuerySchema },
      responses: { 200: { description: 'one page', schema: ticketListSchema } },
      handler: async ({ res, user, query }) => {
        const { items, total } = await listTickets(pool, user, query, now());
        res.json({ items: await respondAll(user, items, 'list', (row) => row.id), page: query.page, pageSize: query.pageSize, total });
      },
    }),
    route({
      method: 'get',
      path: '/tickets/:id',
      summary: 'Live state of a work order (from its workflow)',
      tags: ['tickets'],
      roles: everyone,
      schemas: { params: idParams },
      responses: {
        200: { description: 'the state', schema: ticketStateSchema },
        404: { description: 'no such work order (or not one of the calling unit)' },
      },
      handler: async ({ res, user, params }) => {
        res.json(await respond(user, await service.stateFor(user, params.id), 'ticket'));
      },
    }),
    route({
      method: 'get',
      path: '/tickets/:id/events',
      summary: 'The whole recorded timeline of a work order (read model), oldest first',
      description: 'Every action with its actor, every urge and escalation. Page with `afterSeq`.',
      tags: ['tickets'],
      roles: everyone,
      schemas: {
        params: idParams,
        query: z.object({
          afterSeq: int4Schema().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: {
        200: { description: 'events', schema: z.object({ items: z.array(z.looseObject({ seq: z.number(), type: z.string() })) }) },
        404: { description: 'no such work order (or not one of the calling unit)' },
      },
      handler: async ({ res, user, params, query }) => {
        const state = await service.stateFor(user, params.id);
        const items = await timeline(pool, params.id, query);
        // The timeline carries no phone field; free text in it is masked for readers without the right.
        res.json({ items: items.map((e) => mask(e, visibilityFor(user, state))) });
      },
    }),
    ...actionRoutes,
  ];
}
