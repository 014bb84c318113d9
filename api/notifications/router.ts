/**
 * /notifications: the caller's outbox — a unit's own urges, escalations and new work orders;
 * the center's and the supervisors' likewise.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { isoDateTimeSchema } from '../../domain/storableSchemas';
import { mask } from '../tickets/view';
import { workOrderIdSchema } from '../../domain/workorder';
import { notFound } from '../http/errors';
import { RouteSpec, route } from '../http/route';
import { listNotifications, markRead } from './repository';

const notificationSchema = z.object({
  id: z.string(),
  workOrderId: z.string().nullable(),
  kind: z.string(),
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

const kinds = z.preprocess(
  (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).filter(Boolean)),
  z.array(z.string().regex(/^[A-Za-z]{1,40}$/, 'a notification kind, e.g. urge')).max(20).optional(),
);

export function notificationRoutes(deps: { pool: Pool }): RouteSpec<any>[] {
  return [
    route({
      method: 'get',
      path: '/notifications',
      summary: "The caller's notifications, newest first",
      tags: ['notifications'],
      roles: ['unit', 'center', 'supervisor', 'admin'],
      schemas: {
        query: z.object({
          kind: kinds,
          unread: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
          since: isoDateTimeSchema().optional(),
          workOrderId: workOrderIdSchema.optional(),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: {
        200: {
          description: 'one page',
          schema: z.object({ items: z.array(notificationSchema), total: z.number(), page: z.number(), pageSize: z.number() }),
        },
      },
      handler: async ({ res, user, query }) => {
        const { items, total } = await listNotifications(deps.pool, user, query);
        // A phone number typed into the summary is masked for readers without the right (issue 12).
        const readable = user.role === 'center' || user.role === 'admin' ? items : items.map((n) => mask(n, { phone: false, name: true }));
        res.json({ items: readable, total, page: query.page, pageSize: query.pageSize });
      },
    }),
    route({
      method: 'post',
      path: '/notifications/:id/read',
      summary: 'Mark one of your notifications read',
      tags: ['notifications'],
      roles: ['unit', 'center', 'supervisor', 'admin'],
      schemas: { params: z.object({ id: z.string().min(1).max(300) }) },
      responses: { 204: { description: 'marked' }, 404: { description: 'not one of yours' } },
      handler: async ({ res, user, params }) => {
        if (!(await markRead(deps.pool, user, params.id))) throw notFound('notification');
        res.status(204).end();
      },
    }),
  ];
}
