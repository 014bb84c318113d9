/**
 * Scored events entered by a supervisor with a reason (000 附件2 四.4–六: a media report, a
 * meeting missed, a breach of confidentiality): stored, listed, and counted in the month's scores.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { manualScoringEvents, type ManualEvent } from '../../domain/scoring';
import { isoDateTimeSchema } from '../../domain/storableSchemas';
import { unitIdSchema, workOrderIdSchema } from '../../domain/workorder';

/** The body of `POST /reports/scored-events`. */
export const scoredEventSchema = z.object({
  unitId: unitIdSchema,
  event: z.enum(manualScoringEvents),
  /** When it happened: the month it counts in. */
  at: isoDateTimeSchema(),
  reason: z.string().trim().min(1).max(2000),
  workOrderId: workOrderIdSchema.optional(),
});
export type ScoredEventInput = z.infer<typeof scoredEventSchema>;

export interface ScoredEvent extends ScoredEventInput {
  id: number;
  recordedBy: string;
  recordedAt: string;
}

/** Stores one event. */
export async function insertScoredEvent(pool: Pool, e: ScoredEventInput, by: string): Promise<ScoredEvent> {
  const { rows } = await pool.query<{ id: string; recorded_at: Date }>(
    `INSERT INTO scored_events (unit_id, event, at, reason, work_order_id, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, recorded_at`,
    [e.unitId, e.event, e.at, e.reason, e.workOrderId ?? null, by],
  );
  return { ...e, id: Number(rows[0].id), recordedBy: by, recordedAt: rows[0].recorded_at.toISOString() };
}

/** The events in [start, end), oldest first. */
export async function scoredEventsBetween(pool: Pool, start: Date, end: Date): Promise<ScoredEvent[]> {
  const { rows } = await pool.query<{ id: string; unit_id: string; event: ManualEvent['event']; at: Date; reason: string; work_order_id: string | null; recorded_by: string; recorded_at: Date }>(
    'SELECT * FROM scored_events WHERE at >= $1 AND at < $2 ORDER BY at, id',
    [start, end],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    unitId: r.unit_id,
    event: r.event,
    at: r.at.toISOString(),
    reason: r.reason,
    ...(r.work_order_id ? { workOrderId: r.work_order_id } : {}),
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at.toISOString(),
  }));
}
