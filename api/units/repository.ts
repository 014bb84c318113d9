/**
 * Units (承办单位 / 网络单位) as a tree: 一级 units (`level1`), 二级 units under a supervising
 * department (`level2`) and companies (`company`), linked by `parent_id` (001's list).
 * The webhook secret is write-only: rows returned here say only whether one is set.
 */
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { unitIdSchema } from '../../domain/workorder';

export const unitKindSchema = z.enum(['level1', 'level2', 'company']);
export const unitSectorSchema = z.enum(['county', 'department', 'provincial']);

/** A unit as the API shows it. */
export const unitSchema = z.object({
  id: unitIdSchema,
  name: z.string(),
  kind: unitKindSchema,
  sector: unitSectorSchema.nullable(),
  parentId: unitIdSchema.nullable(),
  supervisingDepartment: z.string().nullable(),
  /** Shown to admins and to the unit itself only (see {@link unitAsSeenBy}). */
  webhookUrl: z.string().nullable().optional(),
  hasWebhookSecret: z.boolean().optional(),
  active: z.boolean(),
});
export type Unit = z.infer<typeof unitSchema>;
export type UnitNode = Unit & { children: UnitNode[] };

/** What creating a unit takes (also the demo seed's shape). */
export const newUnitSchema = z.object({
  id: unitIdSchema,
  name: z.string().trim().min(1).max(200),
  kind: unitKindSchema,
  sector: unitSectorSchema.nullable().default(null),
  parentId: unitIdSchema.nullable().default(null),
  supervisingDepartment: z.string().trim().max(200).nullable().default(null),
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().default(null),
  /** HMAC-SHA256 key for the unit's webhook; write-only. */
  webhookSecret: z.string().min(16).max(200).nullable().default(null),
});
export type NewUnit = z.infer<typeof newUnitSchema>;

/** A change of a unit; absent fields keep their value, null clears. (No defaults: absent ≠ null.) */
export const unitPatchSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  kind: unitKindSchema.optional(),
  sector: unitSectorSchema.nullable().optional(),
  parentId: unitIdSchema.nullable().optional(),
  supervisingDepartment: z.string().trim().max(200).nullable().optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional(),
  webhookSecret: z.string().min(16).max(200).nullable().optional(),
  active: z.boolean().optional(),
});
export type UnitPatch = z.infer<typeof unitPatchSchema>;

interface UnitRow {
  id: string;
  name: string;
  kind: Unit['kind'];
  sector: Unit['sector'];
  parent_id: string | null;
  supervising_department: string | null;
  webhook_url: string | null;
  has_secret: boolean;
  active: boolean;
}

const columns = `id, name, kind, sector, parent_id, supervising_department, webhook_url,
  webhook_secret IS NOT NULL AS has_secret, active`;

const toUnit = (r: UnitRow): Unit => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  sector: r.sector,
  parentId: r.parent_id,
  supervisingDepartment: r.supervising_department,
  webhookUrl: r.webhook_url,
  hasWebhookSecret: r.has_secret,
  active: r.active,
});

export async function listUnits(pool: Pool): Promise<Unit[]> {
  const { rows } = await pool.query<UnitRow>(`SELECT ${columns} FROM units ORDER BY id`);
  return rows.map(toUnit);
}

export async function getUnit(pool: Pool | PoolClient, id: string): Promise<Unit | undefined> {
  const { rows } = await pool.query<UnitRow>(`SELECT ${columns} FROM units WHERE id = $1`, [id]);
  return rows[0] ? toUnit(rows[0]) : undefined;
}

/** The ids among `ids` that are not active units. */
export async function unknownUnitIds(pool: Pool, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM units WHERE id = ANY($1) AND active', [ids]);
  const known = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}

/**
 * A unit as `viewer` may see it: a unit's webhook (its URL may carry a token of its own system)
 * is shown to admins and to that unit, not to other units or roles.
 */
export function unitAsSeenBy(viewer: { role: string; unitId?: string }, unit: Unit): Unit {
  if (viewer.role === 'admin' || viewer.unitId === unit.id) return unit;
  const { webhookUrl: _url, hasWebhookSecret: _secret, ...rest } = unit;
  return rest;
}

/** Arranges units as a forest: roots are units without a parent. */
export function unitTree(units: Unit[]): UnitNode[] {
  const nodes = new Map(units.map((u) => [u.id, { ...u, children: [] as UnitNode[] }]));
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

export async function insertUnit(db: Pool | PoolClient, unit: NewUnit): Promise<void> {
  await db.query(
    `INSERT INTO units (id, name, kind, sector, parent_id, supervising_department, webhook_url, webhook_secret)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [unit.id, unit.name, unit.kind, unit.sector, unit.parentId, unit.supervisingDepartment, unit.webhookUrl, unit.webhookSecret],
  );
}

const patchColumns: Record<keyof UnitPatch, string> = {
  name: 'name',
  kind: 'kind',
  sector: 'sector',
  parentId: 'parent_id',
  supervisingDepartment: 'supervising_department',
  webhookUrl: 'webhook_url',
  webhookSecret: 'webhook_secret',
  active: 'active',
};

/** Applies a patch; false when the unit does not exist. */
export async function updateUnit(pool: Pool | PoolClient, id: string, patch: UnitPatch): Promise<boolean> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [key, column] of Object.entries(patchColumns) as [keyof UnitPatch, string][]) {
    if (patch[key] === undefined) continue;
    values.push(patch[key]);
    sets.push(`${column} = $${values.length}`);
  }
  if (sets.length === 0) return (await getUnit(pool, id)) !== undefined;
  const { rowCount } = await pool.query(`UPDATE units SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, values);
  return (rowCount ?? 0) > 0;
}

/** Would making `parentId` the parent of `id` create a cycle? */
export async function wouldCycle(pool: Pool, id: string, parentId: string): Promise<boolean> {
  const { rows } = await pool.query<{ found: boolean }>(
    `WITH RECURSIVE up(id, parent_id) AS (
       SELECT id, parent_id FROM units WHERE id = $2
       UNION SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)
     SELECT EXISTS (SELECT 1 FROM up WHERE id = $1) AS found`,
    [id, parentId],
  );
  return rows[0]?.found ?? false;
}
