/**
 * The notification outbox (written by the workflow's activities): what a unit, the center or the
 * supervisors are told — new work orders, urges (催办), escalations (督办) and decisions.
 * Payloads carry no caller identity (activities/ guarantee it).
 */
import type { Pool } from 'pg';
import type { AuthUser } from '../http/auth';

export interface Notification {
  id: string;
  /** null for notifications about no work order (the calendar running out, to admins). */
  workOrderId: string | null;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

/** Which outbox rows a user reads: a unit its own, the center the center's, supervisors theirs. */
function audienceOf(user: AuthUser): { sql: string; values: unknown[] } {
  switch (user.role) {
    case 'unit':
      return { sql: "audience = 'unit' AND unit_id = $1", values: [user.unitId] };
    case 'supervisor':
      return { sql: "audience = 'supervisors' AND $1::text IS NULL", values: [null] };
    case 'admin':
      // Admins act as the center, and get the calendar's warnings (issue 10).
      return { sql: "audience IN ('center', 'admins') AND $1::text IS NULL", values: [null] };
    default:
      return { sql: "audience = 'center' AND $1::text IS NULL", values: [null] };
  }
}

export async function listNotifications(
  pool: Pool,
  user: AuthUser,
  filter: { kind?: string[]; unread?: boolean; since?: string; workOrderId?: string; page: number; pageSize: number },
): Promise<{ items: Notification[]; total: number }> {
  const audience = audienceOf(user);
  const values = [...audience.values];
  const where = [audience.sql];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (filter.kind?.length) where.push(`kind = ANY (${param(filter.kind)})`);
  if (filter.unread) where.push('read_at IS NULL');
  if (filter.since) where.push(`created_at >= ${param(filter.since)}`);
  if (filter.workOrderId) where.push(`work_order_id = ${param(filter.workOrderId)}`);
  const limit = param(filter.pageSize);
  const offset = param((filter.page - 1) * filter.pageSize);
  const { rows } = await pool.query<{
    id: string;
    work_order_id: string | null;
    kind: string;
    payload: Record<string, unknown>;
    created_at: Date;
    read_at: Date | null;
    total: string;
  }>(
    `SELECT id, work_order_id, kind, payload, created_at, read_at, count(*) OVER () AS total
       FROM notifications WHERE ${where.join(' AND ')}
      ORDER BY created_at DESC, id LIMIT ${limit} OFFSET ${offset}`,
    values,
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      workOrderId: r.work_order_id,
      kind: r.kind,
      payload: r.payload,
      createdAt: r.created_at.toISOString(),
      readAt: r.read_at?.toISOString() ?? null,
    })),
    total: rows.length ? Number(rows[0].total) : 0,
  };
}

/** Marks one of the user's notifications read; false when it is not one of theirs. */
export async function markRead(pool: Pool, user: AuthUser, id: string): Promise<boolean> {
  const audience = audienceOf(user);
  const { rowCount } = await pool.query(
    `UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE ${audience.sql} AND id = $2`,
    [...audience.values, id],
  );
  return (rowCount ?? 0) > 0;
}
