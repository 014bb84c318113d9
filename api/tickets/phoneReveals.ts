/**
 * The record of every time a person was shown a caller's phone (issue 12: who, when, which work
 * order), written with the response and listed by admins (`GET /admin/phone-reveals`).
 */
import type { Pool } from 'pg';
import type { AuthUser } from '../http/auth';

/** Records that `user` was shown the caller's phone of each of `workOrderIds` through `via`. */
export async function recordPhoneReveals(pool: Pool, user: AuthUser, workOrderIds: readonly string[], via: string): Promise<void> {
  if (!workOrderIds.length) return;
  await pool.query(
    `INSERT INTO phone_reveals (user_id, role, unit_id, work_order_id, via)
     SELECT $1, $2, $3, id, $5 FROM unnest($4::text[]) AS id`,
    [user.id, user.role, user.unitId ?? null, [...new Set(workOrderIds)], via],
  );
}

export interface PhoneReveal {
  id: number;
  userId: string;
  role: string;
  unitId: string | null;
  workOrderId: string;
  via: string;
  revealedAt: string;
}

/** Reveals, newest first, optionally of one work order or one user, with how many match in all. */
export async function listPhoneReveals(
  pool: Pool,
  filter: { workOrderId?: string; userId?: string; page: number; pageSize: number },
): Promise<{ items: PhoneReveal[]; total: number }> {
  const where = `WHERE ($1::text IS NULL OR work_order_id = $1) AND ($2::text IS NULL OR user_id = $2)`;
  const counted = pool.query<{ total: string }>(`SELECT count(*) AS total FROM phone_reveals ${where}`, [filter.workOrderId ?? null, filter.userId ?? null]);
  const { rows } = await pool.query<{ id: string; user_id: string; role: string; unit_id: string | null; work_order_id: string; via: string; revealed_at: Date }>(
    `SELECT id, user_id, role, unit_id, work_order_id, via, revealed_at FROM phone_reveals
      WHERE ($1::text IS NULL OR work_order_id = $1) AND ($2::text IS NULL OR user_id = $2)
      ORDER BY id DESC LIMIT $3 OFFSET $4`,
    [filter.workOrderId ?? null, filter.userId ?? null, filter.pageSize, (filter.page - 1) * filter.pageSize],
  );
  const items = rows.map((r) => ({
    id: Number(r.id),
    userId: r.user_id,
    role: r.role,
    unitId: r.unit_id,
    workOrderId: r.work_order_id,
    via: r.via,
    revealedAt: r.revealed_at.toISOString(),
  }));
  return { items, total: Number((await counted).rows[0].total) };
}
