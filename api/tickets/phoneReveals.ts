/**
 * The record of every time a person was shown a caller's phone (issue 12: who, when, which work
 * order), written with the response and listed by admins (`GET /admin/phone-reveals`).
 */
import type { Pool } from 'pg';
import type { AuthUser } from '../http/auth';

/**
 * Records that `user` was shown the caller's phone of each of `workOrderIds` through `via`;
 * resolves once the rows are committed (the response that shows the phone waits for it).
 *
 * Concurrent requests share one statement (issue 9: one INSERT and one commit per creation or
 * action was a measurable part of PostgreSQL's work): while one batch is being written, the
 * next requests queue and are written together, in the order they came, as soon as it is done.
 */
export async function recordPhoneReveals(pool: Pool, user: AuthUser, workOrderIds: readonly string[], via: string): Promise<void> {
  if (!workOrderIds.length) return;
  let writer = writers.get(pool);
  if (!writer) writers.set(pool, (writer = new RevealWriter(pool)));
  await writer.add([...new Set(workOrderIds)].map((id) => [user.id, user.role, user.unitId ?? null, id, via]));
}

type RevealRow = [userId: string, role: string, unitId: string | null, workOrderId: string, via: string];

const writers = new WeakMap<Pool, RevealWriter>();

/** One INSERT at a time per pool; rows that arrive meanwhile wait for the next one. */
class RevealWriter {
  private queued: Array<{ rows: RevealRow[]; done: (error?: unknown) => void }> = [];
  private writing = false;

  constructor(private readonly pool: Pool) {}

  add(rows: RevealRow[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ rows, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.writing) void this.writeQueued();
    });
  }

  private async writeQueued(): Promise<void> {
    this.writing = true;
    while (this.queued.length) {
      const batch = this.queued.splice(0);
      const rows = batch.flatMap((b) => b.rows);
      const column = (i: number) => rows.map((r) => r[i]);
      let failure: unknown;
      try {
        await this.pool.query(
          `INSERT INTO phone_reveals (user_id, role, unit_id, work_order_id, via)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
          [column(0), column(1), column(2), column(3), column(4)],
        );
      } catch (error) {
        failure = error ?? new Error('recording phone reveals failed');
      }
      for (const b of batch) b.done(failure);
    }
    this.writing = false;
  }
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
