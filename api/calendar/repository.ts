/**
 * Official holiday schedules imported by administrators (`calendar_official_years`,
 * db/migrations/0005_calendar_years.sql), and where each year's schedule comes from.
 */
import type { Pool } from 'pg';
import { yearSource, type YearSource } from '../../domain/holidays';
import type { OfficialYear } from '../../domain/notice';

/** A stored import: the schedule and who imported it (and what it replaced). */
export interface StoredOfficialYear extends OfficialYear {
  source: 'notice' | 'json' | 'csv';
  version: number;
  importedAt: string;
  importedBy: string;
  noticeText: string | null;
  replaced: Record<string, unknown> | null;
}

interface Row {
  year: number;
  holidays: string[];
  make_up_workdays: string[];
  source: StoredOfficialYear['source'];
  version: number;
  imported_at: Date;
  imported_by: string;
  notice_text: string | null;
  replaced: Record<string, unknown> | null;
}

const select = `SELECT year, array(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(holidays) d ORDER BY d) AS holidays,
  array(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(make_up_workdays) d ORDER BY d) AS make_up_workdays,
  source, version, imported_at, imported_by, notice_text, replaced FROM calendar_official_years`;

const fromRow = (r: Row): StoredOfficialYear => ({
  year: r.year,
  holidays: r.holidays,
  makeUpWorkdays: r.make_up_workdays,
  source: r.source,
  version: r.version,
  importedAt: r.imported_at.toISOString(),
  importedBy: r.imported_by,
  noticeText: r.notice_text,
  replaced: r.replaced,
});

/** Every imported year, oldest first. */
export async function listOfficialYears(pool: Pool): Promise<StoredOfficialYear[]> {
  const { rows } = await pool.query<Row>(`${select} ORDER BY year`);
  return rows.map(fromRow);
}

export async function getOfficialYear(pool: Pool, year: number): Promise<StoredOfficialYear | undefined> {
  const { rows } = await pool.query<Row>(`${select} WHERE year = $1`, [year]);
  return rows[0] && fromRow(rows[0]);
}

/**
 * Stores a year's official schedule. With `replace`, an existing import is replaced (its version
 * and importer kept in `replaced`); without, an existing one makes this return `'exists'`.
 * One statement, so two admins importing at once cannot both "create" the year.
 */
export async function saveOfficialYear(
  pool: Pool,
  schedule: OfficialYear & { source: StoredOfficialYear['source']; noticeText?: string },
  by: { userId: string; at: Date; replace: boolean },
): Promise<StoredOfficialYear | 'exists'> {
  const values = [schedule.year, schedule.holidays, schedule.makeUpWorkdays, schedule.source, schedule.noticeText ?? null, by.at, by.userId];
  const insert = `INSERT INTO calendar_official_years (year, holidays, make_up_workdays, source, notice_text, imported_at, imported_by)
                  VALUES ($1, $2::date[], $3::date[], $4, $5, $6, $7)`;
  const { rowCount } = by.replace
    ? await pool.query(
        `${insert} ON CONFLICT (year) DO UPDATE SET
           replaced = jsonb_build_object('version', calendar_official_years.version, 'source', calendar_official_years.source,
             'holidays', calendar_official_years.holidays, 'makeUpWorkdays', calendar_official_years.make_up_workdays,
             'importedAt', calendar_official_years.imported_at, 'importedBy', calendar_official_years.imported_by),
           version = calendar_official_years.version + 1,
           holidays = EXCLUDED.holidays, make_up_workdays = EXCLUDED.make_up_workdays, source = EXCLUDED.source,
           notice_text = EXCLUDED.notice_text, imported_at = EXCLUDED.imported_at, imported_by = EXCLUDED.imported_by`,
        values,
      )
    : await pool.query(`${insert} ON CONFLICT (year) DO NOTHING`, values);
  if (!rowCount) return 'exists';
  return (await getOfficialYear(pool, schedule.year))!;
}

/** Where each year from `from` to `to` gets its schedule. */
export function yearSources(from: number, to: number, official: readonly OfficialYear[]): { year: number; source: YearSource }[] {
  const out: { year: number; source: YearSource }[] = [];
  for (let year = from; year <= to; year++) out.push({ year, source: yearSource(year, official) });
  return out;
}
