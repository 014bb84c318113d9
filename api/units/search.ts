/**
 * GET /unit-search?q=: units matched by name, id, or pinyin initials (拼音首字母, e.g. `scszm`
 * finds 市城市照明管理处) or full pinyin, for the center's dispatch picker. pinyin-pro gives the
 * readings (polyphonic characters by word context), computed once per unit name.
 */
import type { Pool } from 'pg';
import { pinyin } from 'pinyin-pro';
import { z } from 'zod';
import { RouteSpec, route } from '../http/route';
import { listUnits, type Unit } from './repository';

const readings = new Map<string, { initials: string; full: string }>();

/** The pinyin initials and the full pinyin (no tones, no spaces) of a name. */
export function pinyinOf(name: string): { initials: string; full: string } {
  let r = readings.get(name);
  if (!r) {
    r = {
      initials: pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase(),
      full: pinyin(name, { toneType: 'none', type: 'array' }).join('').toLowerCase(),
    };
    readings.set(name, r);
  }
  return r;
}

/** Ranks units for a query: name or initials prefix first, then contains. */
export function searchUnits(units: Unit[], query: string, limit: number): Unit[] {
  const q = query.trim().toLowerCase();
  const scored: { unit: Unit; score: number }[] = [];
  for (const unit of units) {
    const { initials, full } = pinyinOf(unit.name);
    const name = unit.name.toLowerCase();
    let score = 0;
    if (name.startsWith(q) || initials.startsWith(q)) score = 3;
    else if (name.includes(q) || initials.includes(q) || full.startsWith(q)) score = 2;
    else if (full.includes(q) || unit.id.toLowerCase().includes(q)) score = 1;
    if (score) scored.push({ unit, score });
  }
  scored.sort((a, b) => b.score - a.score || a.unit.name.length - b.unit.name.length || a.unit.id.localeCompare(b.unit.id));
  return scored.slice(0, limit).map((s) => s.unit);
}

const hitSchema = z.object({ id: z.string(), name: z.string(), kind: z.string(), parentId: z.string().nullable(), path: z.array(z.string()) });

export function unitSearchRoutes(deps: { pool: Pool }): RouteSpec<any>[] {
  return [
    route({
      method: 'get',
      path: '/unit-search',
      summary: 'Find active units by name, id or pinyin initials (e.g. q=scszm)',
      tags: ['units'],
      roles: ['center', 'unit', 'supervisor', 'admin'],
      schemas: {
        query: z.object({
          q: z.string().trim().min(1).max(50),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
      },
      responses: { 200: { description: 'best matches first, each with its path in the tree (names)', schema: z.object({ items: z.array(hitSchema) }) } },
      handler: async ({ res, query }) => {
        const units = await listUnits(deps.pool);
        const byId = new Map(units.map((u) => [u.id, u]));
        const pathOf = (u: Unit): string[] => {
          const names: string[] = [];
          for (let p = u.parentId ? byId.get(u.parentId) : undefined; p && names.length < 10; p = p.parentId ? byId.get(p.parentId) : undefined) {
            names.unshift(p.name);
          }
          return names;
        };
        const hits = searchUnits(units.filter((u) => u.active), query.q, query.limit);
        res.json({ items: hits.map((u) => ({ id: u.id, name: u.name, kind: u.kind, parentId: u.parentId, path: pathOf(u) })) });
      },
    }),
  ];
}
