/**
 * GET /caller-history?phone=: the caller's earlier work orders (same phone), newest first, for the
 * operator taking a call. Center and admins only: the phone is theirs to see (001 三(一)5). The
 * phone travels in the query, which the request log leaves out.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { RouteSpec, route } from '../http/route';

const itemSchema = z.object({
  id: z.string(),
  stage: z.string(),
  category: z.string(),
  summary: z.string(),
  callerName: z.string(),
  mainUnitId: z.string().nullable(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  satisfaction: z.string().nullable(),
});

/** Digits (and a leading +) only, so 138-0000-1111 and 13800001111 are the same caller. */
const normalise = (phone: string) => phone.replace(/[^0-9+]/g, '');

export function callerHistoryRoutes(deps: { pool: Pool }): RouteSpec<any>[] {
  return [
    route({
      method: 'get',
      path: '/caller-history',
      summary: "A caller's earlier work orders by phone number (newest first)",
      tags: ['tickets'],
      roles: ['center', 'admin'],
      schemas: {
        query: z.object({
          phone: z.string().regex(/^\+?[0-9-]{3,20}$/, 'digits, optional + and -'),
          limit: z.coerce.number().int().min(1).max(50).default(10),
        }),
      },
      responses: { 200: { description: 'earlier work orders and how many in all', schema: z.object({ items: z.array(itemSchema), total: z.number() }) } },
      handler: async ({ res, query }) => {
        const { rows } = await deps.pool.query<{
          id: string;
          stage: string;
          category: string;
          summary: string;
          caller_name: string;
          main_unit_id: string | null;
          created_at: Date;
          closed_at: Date | null;
          satisfaction: string | null;
          total: string;
        }>(
          `SELECT id, stage, category, summary, caller_name, main_unit_id, created_at, closed_at, satisfaction, count(*) OVER () AS total
             FROM work_orders WHERE regexp_replace(caller_phone, '[^0-9+]', '', 'g') = $1
            ORDER BY created_at DESC LIMIT $2`,
          [normalise(query.phone), query.limit],
        );
        res.set('Cache-Control', 'no-store');
        res.json({
          total: rows.length ? Number(rows[0].total) : 0,
          items: rows.map((r) => ({
            id: r.id,
            stage: r.stage,
            category: r.category,
            summary: r.summary,
            callerName: r.caller_name,
            mainUnitId: r.main_unit_id,
            createdAt: r.created_at.toISOString(),
            closedAt: r.closed_at ? r.closed_at.toISOString() : null,
            satisfaction: r.satisfaction,
          })),
        });
      },
    }),
  ];
}
