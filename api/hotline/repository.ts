/**
 * The hotline's own settings: which SLA profile it runs under (a shipped profile plus overrides),
 * its office hours, and its calendar exceptions. Work orders take a resolved copy at creation, so
 * an edit here applies to new work orders only.
 */
import type { Pool, PoolClient } from 'pg';
import { buildCalendarData, CalendarException } from '../../domain/holidays';
import { CalendarData, OfficePeriod, chinaUtcOffsetMinutes, defaultOfficeHours } from '../../domain/calendar';
import { listOfficialYears } from '../calendar/repository';
import type { OfficialYear } from '../../domain/notice';
import { ProfileId, SlaProfile, profileIds, resolveProfile, shippedProfiles } from '../../domain/profile';

export interface HotlineSettings {
  profileId: ProfileId;
  overrides: Record<string, unknown>;
  officeHours: OfficePeriod[] | null;
  updatedAt: string;
  updatedBy: string | null;
}

/** Creates the settings row with `profileId` if there is none yet. */
export async function ensureSettings(pool: Pool, profileId: ProfileId): Promise<void> {
  await pool.query('INSERT INTO hotline_settings (id, profile_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [profileId]);
}

export async function getSettings(pool: Pool): Promise<HotlineSettings> {
  const { rows } = await pool.query<{
    profile_id: string;
    profile_overrides: Record<string, unknown>;
    office_hours: OfficePeriod[] | null;
    updated_at: Date;
    updated_by: string | null;
  }>('SELECT profile_id, profile_overrides, office_hours, updated_at, updated_by FROM hotline_settings WHERE id = 1');
  const row = rows[0];
  if (!row) throw new Error('hotline_settings is empty: the start script seeds it (ensureSettings)');
  const profileId = (profileIds as readonly string[]).includes(row.profile_id) ? (row.profile_id as ProfileId) : 'kaifeng-001';
  return {
    profileId,
    overrides: row.profile_overrides,
    officeHours: row.office_hours,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

/**
 * The profile work orders run under now.
 *
 * @throws ZodError when the stored overrides no longer validate (cannot happen through the API,
 * which validates before storing)
 */
export async function currentProfile(pool: Pool): Promise<SlaProfile> {
  const settings = await getSettings(pool);
  return resolveProfile(shippedProfiles[settings.profileId], settings.overrides);
}

/** Stores a new profile choice; the caller has validated it with `resolveProfile`. */
export async function saveProfileChoice(
  pool: Pool | PoolClient,
  choice: { profileId: ProfileId; overrides: Record<string, unknown> },
  userId: string,
): Promise<void> {
  await pool.query(
    `UPDATE hotline_settings SET profile_id = $1, profile_overrides = $2, updated_at = now(), updated_by = $3 WHERE id = 1`,
    [choice.profileId, JSON.stringify(choice.overrides), userId],
  );
}

export async function saveOfficeHours(pool: Pool | PoolClient, officeHours: OfficePeriod[] | null, userId: string): Promise<void> {
  await pool.query('UPDATE hotline_settings SET office_hours = $1, updated_at = now(), updated_by = $2 WHERE id = 1', [
    officeHours === null ? null : JSON.stringify(officeHours),
    userId,
  ]);
}

export interface StoredException extends CalendarException {
  createdAt: string;
  createdBy: string | null;
}

export async function listExceptions(pool: Pool): Promise<StoredException[]> {
  const { rows } = await pool.query<{ day: string; kind: 'holiday' | 'workday'; name: string; created_at: Date; created_by: string | null }>(
    "SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name, created_at, created_by FROM calendar_exceptions ORDER BY day",
  );
  return rows.map((r) => ({
    date: r.day,
    kind: r.kind,
    ...(r.name ? { note: r.name } : {}),
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
  }));
}

/** Adds or replaces the exception of one day. */
export async function putException(pool: Pool | PoolClient, exception: CalendarException, userId: string): Promise<void> {
  await pool.query(
    `INSERT INTO calendar_exceptions (day, kind, name, created_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, created_at = now(), created_by = EXCLUDED.created_by`,
    [exception.date, exception.kind, exception.note ?? '', userId],
  );
}

/** Removes a day's exception; false when there was none. */
export async function deleteException(pool: Pool | PoolClient, date: string): Promise<boolean> {
  const { rowCount } = await pool.query('DELETE FROM calendar_exceptions WHERE day = $1', [date]);
  return (rowCount ?? 0) > 0;
}

/**
 * The working calendar for work orders created at `now`: this year and the next two (a long
 * deadline or an extension may reach that far), each year from its official import, else the
 * library, else the statutory days (provisional; deadlines across it are marked 暂定), with the
 * office hours and exceptions on top. Never fails for lack of holiday data.
 */
export async function calendarFor(pool: Pool, now: Date): Promise<CalendarData> {
  const [settings, exceptions, official] = await Promise.all([getSettings(pool), listExceptions(pool), listOfficialYears(pool)]);
  // The local (UTC+8) year: work orders on 31 December evening belong to the local new year.
  const year = new Date(now.getTime() + chinaUtcOffsetMinutes * 60_000).getUTCFullYear();
  const options = {
    fromYear: year,
    toYear: year + 2,
    official,
    officeHours: settings.officeHours ?? defaultOfficeHours,
    exceptions: exceptions.map(({ date, kind, note }) => ({ date, kind, ...(note ? { note } : {}) })),
  };
  // Building it costs 15–25 ms of CPU (the holiday library, then validation), every creation:
  // reuse the last one built from the same settings (issue 9). It is never mutated.
  const key = JSON.stringify(options);
  if (lastCalendar?.key !== key) lastCalendar = { key, data: buildCalendarData(options) };
  return lastCalendar.data;
}

let lastCalendar: { key: string; data: CalendarData } | undefined;

/** The settings a creation reads, as text (compared to tell whether anything changed). */
const creationSettingsSql = `SELECT
  (SELECT json_build_object('profileId', profile_id, 'overrides', profile_overrides, 'officeHours', office_hours)::text
     FROM hotline_settings WHERE id = 1) AS settings,
  (SELECT coalesce(json_agg(json_build_object('date', to_char(day, 'YYYY-MM-DD'), 'kind', kind, 'note', name) ORDER BY day), '[]')::text
     FROM calendar_exceptions) AS exceptions,
  (SELECT coalesce(json_agg(json_build_object('year', year,
       'holidays', array(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(holidays) d ORDER BY d),
       'makeUpWorkdays', array(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(make_up_workdays) d ORDER BY d)) ORDER BY year), '[]')::text
     FROM calendar_official_years) AS official,
  (SELECT coalesce(array_agg(id), '{}') FROM units WHERE id = ANY($1::text[]) AND active) AS active_units`;

let lastCreationSettings: { key: string; value: { profile: SlaProfile; calendar: CalendarData } } | undefined;

/**
 * What a new work order takes from the hotline's settings: the profile it runs under
 * ({@link currentProfile}) and its working calendar ({@link calendarFor}), in ONE query (issue 9:
 * they were five per creation). Both are rebuilt only when a stored setting or the local year
 * changed, so every API process sees an edit at its next creation; never mutated. The same
 * query tells which of `unitIds` (the units the work order names) are active units, so a
 * creation needs no query of its own for them (issue 9).
 *
 * @throws ZodError when the stored overrides no longer validate (as {@link currentProfile})
 */
export async function creationSettings(
  pool: Pool,
  now: Date,
  unitIds: readonly string[] = [],
): Promise<{ profile: SlaProfile; calendar: CalendarData; activeUnitIds: ReadonlySet<string> }> {
  const { rows } = await pool.query<{ settings: string | null; exceptions: string; official: string; active_units: string[] }>(creationSettingsSql, [unitIds]);
  const row = rows[0];
  const activeUnitIds = new Set(row?.active_units ?? []);
  return { ...settingsFrom(row, now), activeUnitIds };
}

function settingsFrom(row: { settings: string | null; exceptions: string; official: string } | undefined, now: Date): { profile: SlaProfile; calendar: CalendarData } {
  if (!row?.settings) throw new Error('hotline_settings is empty: the start script seeds it (ensureSettings)');
  // The local (UTC+8) year: work orders on 31 December evening belong to the local new year.
  const year = new Date(now.getTime() + chinaUtcOffsetMinutes * 60_000).getUTCFullYear();
  const key = `${year}\n${row.settings}\n${row.exceptions}\n${row.official}`;
  if (lastCreationSettings?.key === key) return lastCreationSettings.value;
  const settings = JSON.parse(row.settings) as { profileId: string; overrides: Record<string, unknown>; officeHours: OfficePeriod[] | null };
  const profileId = (profileIds as readonly string[]).includes(settings.profileId) ? (settings.profileId as ProfileId) : 'kaifeng-001';
  const exceptions = (JSON.parse(row.exceptions) as { date: string; kind: 'holiday' | 'workday'; note: string }[]).map(({ date, kind, note }) => ({
    date,
    kind,
    ...(note ? { note } : {}),
  }));
  const value = {
    profile: resolveProfile(shippedProfiles[profileId], settings.overrides),
    calendar: buildCalendarData({
      fromYear: year,
      toYear: year + 2,
      official: JSON.parse(row.official) as OfficialYear[],
      officeHours: settings.officeHours ?? defaultOfficeHours,
      exceptions,
    }),
  };
  lastCreationSettings = { key, value };
  return value;
}
