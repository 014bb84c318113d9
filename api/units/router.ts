/**
 * /units: the unit directory as a tree (everyone may read it: units dispatch-address each other).
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { unitIdSchema } from '../../domain/workorder';
import { notFound } from '../http/errors';
import { RouteSpec, route } from '../http/route';
import { getUnit, listUnits, unitAsSeenBy, unitSchema, unitTree } from './repository';

// Documented one level deep: the generator cannot follow a recursive schema.
const unitNodeSchema = unitSchema.extend({
  children: z.array(z.looseObject({ id: z.string() })).meta({ description: 'child units, each of this same shape' }),
});

export function unitRoutes(deps: { pool: Pool }): RouteSpec<any>[] {
  return [
    route({
      method: 'get',
      path: '/units',
      summary: 'All units as a tree (一级 units, 二级 units and companies under their supervising department)',
      tags: ['units'],
      roles: ['center', 'unit', 'supervisor', 'admin'],
      schemas: {},
      responses: { 200: { description: 'the tree and the flat count', schema: z.object({ tree: z.array(unitNodeSchema), count: z.number() }) } },
      handler: async ({ res, user }) => {
        const units = (await listUnits(deps.pool)).map((u) => unitAsSeenBy(user, u));
        res.json({ tree: unitTree(units), count: units.length });
      },
    }),
    route({
      method: 'get',
      path: '/units/:id',
      summary: 'One unit',
      tags: ['units'],
      roles: ['center', 'unit', 'supervisor', 'admin'],
      schemas: { params: z.object({ id: unitIdSchema }) },
      responses: { 200: { description: 'the unit', schema: unitSchema }, 404: { description: 'no such unit' } },
      handler: async ({ res, user, params }) => {
        const unit = await getUnit(deps.pool, params.id);
        if (!unit) throw notFound('unit');
        res.json(unitAsSeenBy(user, unit));
      },
    }),
  ];
}
