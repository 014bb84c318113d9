/**
 * /reports/monthly and /units/:id/scores: rates (三率一度) and scores under the hotline's profile.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { unitIdSchema } from '../../domain/workorder';
import { notFound } from '../http/errors';
import { RouteSpec, route } from '../http/route';
import { getUnit } from '../units/repository';
import { reportCsv } from './csv';
import { insertScoredEvent, scoredEventSchema, scoredEventsBetween } from './scoredEvents';
import { monthRange, monthlyReport } from './service';
import { supervisorRoutes } from './supervisorRoutes';

export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month 'YYYY-MM'");

const scoreSchema = z.looseObject({
  unitId: z.string(),
  unitName: z.string().nullable(),
  volume: z.number(),
  rates: z.record(z.string(), z.number().nullable()),
  score: z.number(),
});
const reportSchema = z.object({
  month: z.string(),
  profileId: z.string(),
  scheme: z.string(),
  asOf: z.string(),
  units: z.array(scoreSchema),
});

export function reportRoutes(deps: { pool: Pool; now: () => Date }): RouteSpec<any>[] {
  return [
    ...supervisorRoutes(deps),
    route({
      method: 'post',
      path: '/reports/scored-events',
      summary: 'Enter a scored event with its reason (000 附件2 四.4–六: what no stored fact shows)',
      description: 'Counted in the month of `at` under a profile whose scheme scores the event.',
      tags: ['reports'],
      roles: ['supervisor', 'admin'],
      schemas: { body: scoredEventSchema },
      responses: { 201: { description: 'stored' }, 404: { description: 'no such unit' } },
      handler: async ({ res, user, body }) => {
        if (!(await getUnit(deps.pool, body.unitId))) throw notFound('unit');
        res.status(201).json(await insertScoredEvent(deps.pool, body, user.id));
      },
    }),
    route({
      method: 'get',
      path: '/reports/scored-events',
      summary: 'The scored events entered for a month',
      tags: ['reports'],
      roles: ['supervisor', 'center', 'admin'],
      schemas: { query: z.object({ month: monthSchema }) },
      responses: { 200: { description: 'events' } },
      handler: async ({ res, query }) => {
        const { start, end } = monthRange(query.month);
        res.json({ items: await scoredEventsBetween(deps.pool, start, end) });
      },
    }),
    route({
      method: 'get',
      path: '/reports/monthly',
      summary: 'Monthly rates and scores of every unit (JSON, or CSV with format=csv or Accept: text/csv)',
      tags: ['reports'],
      roles: ['supervisor', 'center', 'admin'],
      schemas: { query: z.object({ month: monthSchema, format: z.enum(['json', 'csv']).optional() }) },
      responses: {
        200: { description: 'the report', schema: reportSchema },
      },
      handler: async ({ req, res, query }) => {
        const report = await monthlyReport(deps.pool, query.month, deps.now());
        const csv = query.format === 'csv' || (query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
        if (csv) {
          res
            .type('text/csv; charset=utf-8')
            .attachment(`scores-${query.month}.csv`)
            .send(reportCsv(report));
        } else {
          res.json(report);
        }
      },
    }),
    route({
      method: 'get',
      path: '/units/:id/scores',
      summary: "One unit's rates and score for a month",
      description: 'A unit may read its own scores only.',
      tags: ['reports', 'units'],
      roles: ['supervisor', 'center', 'admin', 'unit'],
      schemas: { params: z.object({ id: unitIdSchema }), query: z.object({ month: monthSchema }) },
      responses: { 200: { description: 'the unit’s month', schema: scoreSchema }, 404: { description: 'no such unit' } },
      handler: async ({ res, user, params, query }) => {
        if (user.role === 'unit' && user.unitId !== params.id) throw notFound('unit');
        const unit = await getUnit(deps.pool, params.id);
        if (!unit) throw notFound('unit');
        const report = await monthlyReport(deps.pool, query.month, deps.now());
        const score = report.units.find((u) => u.unitId === params.id);
        res.json({
          // A unit with no work in the month has nothing to rate.
          ...(score ?? { volume: 0, volumeRank: null, rates: null, score: null, breakdown: {}, counts: null }),
          month: report.month,
          profileId: report.profileId,
          scheme: report.scheme,
          asOf: report.asOf,
          unitId: unit.id,
          unitName: unit.name,
        });
      },
    }),
  ];
}
