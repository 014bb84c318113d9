/**
 * GET /tickets/:id/extension-limit: the longest extension (延期) the main unit may ask for now,
 * so the unit's form can say it before the rules refuse (EXTENSION_TOO_LONG). Computed as the
 * workflow does (domain/profile.ts `maxExtension` of the completion clock's length: 000 五.2 a
 * 3–5 day range, 004 第十一条(一)4 at most the original limit), from the hotline's profile when
 * the work order runs under it, else the shipped profile of the work order's id. The workflow
 * still decides.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { workOrderIdSchema } from '../../domain/workorder';
import { maxExtension, shippedProfiles, type ProfileId } from '../../domain/profile';
import type { SlaDuration } from '../../domain/sla';
import { currentProfile } from '../hotline/repository';
import { RouteSpec, route } from '../http/route';
import type { TicketService } from './service';

const limitSchema = z.object({
  max: z.object({ amount: z.number(), unit: z.string() }).nullable().meta({ description: 'null when no completion deadline is running' }),
  maxWorkingDays: z.number().nullable().meta({ description: 'the same in working days when the limit is counted in days' }),
  maxCount: z.number(),
  used: z.number(),
});

export function extensionLimitRoutes(deps: { service: TicketService; pool: Pool }): RouteSpec<any>[] {
  return [
    route({
      method: 'get',
      path: '/tickets/:id/extension-limit',
      summary: 'The longest extension the main unit may ask for now (working days), and how many are used',
      tags: ['tickets'],
      roles: ['center', 'unit', 'supervisor', 'admin'],
      schemas: { params: z.object({ id: workOrderIdSchema }) },
      responses: { 200: { description: 'the limit', schema: limitSchema }, 404: { description: 'no such work order (or not one of the calling unit)' } },
      handler: async ({ res, user, params }) => {
        const state = await deps.service.stateFor(user, params.id);
        const hotline = await currentProfile(deps.pool);
        const profile = hotline.id === state.profileId ? hotline : (shippedProfiles[state.profileId as ProfileId] ?? hotline);
        const clock = state.clocks.find((c) => c.name === 'completion' && c.unitId === state.mainUnitId && c.status === 'pending');
        let max: SlaDuration | null = null;
        if (clock) {
          const [amount, unit] = clock.length.split(/[ ;]/);
          max = maxExtension(profile, { amount: Number(amount), unit: unit as SlaDuration['unit'] });
        }
        res.json({
          max,
          maxWorkingDays: max?.unit === 'workingDays' ? max.amount : null,
          maxCount: profile.extension.maxCount,
          used: state.extensions.filter((x) => x.status === 'approved').length,
        });
      },
    }),
  ];
}
