/**
 * The working calendar beyond the holiday library (issue 10):
 * - `GET /calendar/status` (everyone): ok / degraded, the last day with an official schedule;
 * - `GET /admin/calendar/years`: where each year's schedule comes from, and the imports;
 * - `POST /admin/calendar/years/:year/preview`: parse a notice (or JSON / CSV), show every day off
 *   and make-up workday and what would change; nothing is stored;
 * - `PUT /admin/calendar/years/:year`: confirm: store it as the year's official schedule (an
 *   existing import needs `replace: true`; who replaced it is recorded), then send it to every
 *   open work order whose provisional deadlines depend on the year.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { chinaUtcOffsetMinutes } from '../../domain/calendar';
import { buildCalendarData, yearSource } from '../../domain/holidays';
import { NoticeError, parseHolidayNotice, scheduleFromCsv, scheduleFromDates, type OfficialYear, type ParsedSchedule } from '../../domain/notice';
import { audit } from '../admin/usersRepository';
import { HttpError } from '../http/errors';
import { RouteSpec, route } from '../http/route';
import { propagateYear, workOrdersDependingOn } from './propagate';
import { getOfficialYear, listOfficialYears, saveOfficialYear, yearSources } from './repository';
import { calendarStatus } from './status';
import { listExceptions } from '../hotline/repository';
import { yearView } from './yearView';

const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2200) });

/** One import body: the notice text, or the dates as JSON, or CSV (`date,kind`). */
const scheduleBody = z
  .object({
    format: z.enum(['notice', 'json', 'csv']).describe('notice: the State Council notice as pasted; json: holidays + makeUpWorkdays; csv: date,kind lines'),
    text: z.string().max(20_000).optional().describe('format notice: the notice text (title, preamble and closing may stay)'),
    holidays: z.array(z.iso.date()).max(400).optional().describe('format json: every day off'),
    makeUpWorkdays: z.array(z.iso.date()).max(100).optional().describe('format json: 调休上班 weekend days'),
    csv: z.string().max(50_000).optional().describe('format csv: header `date,kind`, kind holiday/休 or workday/班'),
    replace: z.boolean().default(false).describe('PUT only: replace an existing official import of the year'),
  })
  .superRefine((b, ctx) => {
    const need = b.format === 'notice' ? ['text'] : b.format === 'csv' ? ['csv'] : ['holidays', 'makeUpWorkdays'];
    for (const field of need) {
      if ((b as Record<string, unknown>)[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for format ${b.format}` });
    }
  });
type ScheduleBody = z.infer<typeof scheduleBody>;

/** Parses an import body; a refused line becomes 400 naming the field and the line. */
function parseSchedule(year: number, body: ScheduleBody): OfficialYear & { items?: ParsedSchedule['items']; title?: string } {
  const field = body.format === 'notice' ? 'text' : body.format === 'csv' ? 'csv' : 'holidays';
  try {
    if (body.format === 'notice') return parseHolidayNotice(body.text!, year);
    if (body.format === 'csv') return scheduleFromCsv(year, body.csv!);
    return scheduleFromDates(year, { holidays: body.holidays!, makeUpWorkdays: body.makeUpWorkdays! });
  } catch (error) {
    if (!(error instanceof NoticeError)) throw error;
    throw new HttpError(400, 'INVALID_INPUT', `invalid input: body.${field}: ${error.message}`, [
      { path: `body.${field}`, message: error.message, code: error.lineNo > 0 ? `line_${error.lineNo}` : 'schedule' },
    ]);
  }
}

const diff = (before: string[], after: string[]) => ({
  added: after.filter((d) => !before.includes(d)),
  removed: before.filter((d) => !after.includes(d)),
});

const localYear = (t: Date) => new Date(t.getTime() + chinaUtcOffsetMinutes * 60_000).getUTCFullYear();

export function calendarRoutes(deps: { pool: Pool; temporal: Client; now: () => Date; warnDays: number; onImported?: () => void }): RouteSpec<any>[] {
  const { pool } = deps;
  return [
    route({
      method: 'get',
      path: '/calendar/status',
      summary: 'Whether the working calendar is about to run out (degraded from 60 days before its last official day)',
      tags: ['calendar'],
      roles: ['admin', 'center', 'supervisor', 'unit'],
      schemas: {},
      responses: { 200: { description: 'status, lastCoveredDay, warnFrom, daysLeft, years, message (zh-CN)' } },
      handler: async ({ res }) => {
        res.json(await calendarStatus(pool, deps.now(), deps.warnDays));
      },
    }),
    route({
      method: 'get',
      path: '/admin/calendar/years',
      summary: "Each year's schedule source (official import, library, or provisional from the law) and the imports",
      tags: ['admin', 'calendar'],
      roles: ['admin'],
      schemas: {},
      responses: { 200: { description: 'years and imports' } },
      handler: async ({ res }) => {
        const official = await listOfficialYears(pool);
        const year = localYear(deps.now());
        res.json({
          years: yearSources(year - 1, year + 3, official),
          imports: official.map(({ noticeText, ...rest }) => ({ ...rest, hasNoticeText: noticeText !== null })),
        });
      },
    }),
    route({
      method: 'get',
      path: '/admin/calendar/years/:year',
      summary: "One year's calendar for the year view: every day off and make-up workday, where it comes from, the hotline's exceptions, provisional days",
      description:
        '`days` lists only the days that differ from an ordinary week: `kind` holiday (休) or workday (班), `origin` official / library / provisional ' +
        '(the statutory days of a year with no published schedule, `provisional: true`) or exception (the hotline’s own, with what the national schedule says in `nationally`).',
      tags: ['admin', 'calendar'],
      roles: ['admin'],
      schemas: { params: yearParams },
      responses: { 200: { description: 'the year' } },
      handler: async ({ res, params }) => {
        const [official, exceptions] = await Promise.all([listOfficialYears(pool), listExceptions(pool)]);
        res.json(yearView(params.year, official, exceptions));
      },
    }),
    route({
      method: 'post',
      path: '/admin/calendar/years/:year/preview',
      summary: "Preview a year's schedule from the State Council notice (or JSON / CSV): every day off and make-up workday, checked; nothing stored",
      tags: ['admin', 'calendar'],
      roles: ['admin'],
      schemas: { params: yearParams, body: scheduleBody },
      responses: { 200: { description: 'the parsed schedule, what it changes, and how many open work orders it moves' } },
      handler: async ({ res, params, body }) => {
        const parsed = parseSchedule(params.year, body);
        const official = await listOfficialYears(pool);
        const current = buildCalendarData({ fromYear: params.year, toYear: params.year, official });
        const existing = official.find((o) => o.year === params.year);
        res.json({
          year: params.year,
          format: body.format,
          title: parsed.title,
          items: parsed.items?.map(({ lineNo, line, name, daysOff, makeUpWorkdays }) => ({ lineNo, line, name, daysOff, makeUpWorkdays })),
          holidays: parsed.holidays,
          makeUpWorkdays: parsed.makeUpWorkdays,
          current: {
            source: yearSource(params.year, official),
            ...(existing ? { version: existing.version, importedAt: existing.importedAt, importedBy: existing.importedBy } : {}),
          },
          changes: { holidays: diff(current.holidays, parsed.holidays), makeUpWorkdays: diff(current.makeUpWorkdays, parsed.makeUpWorkdays) },
          replaceRequired: existing !== undefined,
          openWorkOrdersDepending: (await workOrdersDependingOn(pool, params.year)).length,
        });
      },
    }),
    route({
      method: 'put',
      path: '/admin/calendar/years/:year',
      summary: "Confirm a year's official schedule (the same body as the preview); open work orders depending on the year are recomputed",
      description:
        'An existing official import of the year is replaced only with `replace: true` (else 409 CALENDAR_YEAR_EXISTS); the previous version and who replaced it are kept. The answer lists every work order whose deadlines moved (old and new deadline).',
      tags: ['admin', 'calendar'],
      roles: ['admin'],
      schemas: { params: yearParams, body: scheduleBody },
      responses: { 200: { description: 'the stored import and the work orders it moved' }, 409: { description: 'CALENDAR_YEAR_EXISTS: pass replace: true' } },
      handler: async ({ res, user, params, body }) => {
        const parsed = parseSchedule(params.year, body);
        const stored = await saveOfficialYear(
          pool,
          { year: params.year, holidays: parsed.holidays, makeUpWorkdays: parsed.makeUpWorkdays, source: body.format, ...(body.format === 'notice' ? { noticeText: body.text } : {}) },
          { userId: user.id, at: deps.now(), replace: body.replace },
        );
        if (stored === 'exists') {
          const existing = await getOfficialYear(pool, params.year);
          throw new HttpError(
            409,
            'CALENDAR_YEAR_EXISTS',
            `${params.year}年已有正式节假日安排（第${existing?.version ?? 1}版，${existing?.importedBy ?? ''}导入）；确需替换请传 replace: true`,
          );
        }
        await audit(pool, user.id, stored.version > 1 ? 'calendar.year.replace' : 'calendar.year.import', {
          year: stored.year,
          version: stored.version,
          source: stored.source,
          holidays: stored.holidays.length,
          makeUpWorkdays: stored.makeUpWorkdays.length,
          ...(stored.replaced ? { replaced: { version: stored.replaced.version, importedBy: stored.replaced.importedBy } } : {}),
        });
        deps.onImported?.();
        const workOrders = await propagateYear({
          temporal: deps.temporal,
          pool,
          year: params.year,
          source: body.format,
          importId: `${params.year}/${stored.version}`,
          actor: { userId: user.id, role: user.role, ...(user.unitId ? { unitId: user.unitId } : {}) },
        });
        const { noticeText, ...rest } = stored;
        res.json({ ...rest, hasNoticeText: noticeText !== null, workOrders });
      },
    }),
  ];
}
