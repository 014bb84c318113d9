/**
 * The supervisor's API (issue 14): the dashboard, the month's table with its export, one unit's
 * breakdown, the rates' trend, the 督办 records and the regulations' month lists, each list as
 * JSON (paged) or as a CSV / Excel download. Supervisors and administrators only.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { rateNames } from '../../domain/scoring';
import { monthsEnding, rateTrend } from './trend';
import { notFound } from '../http/errors';
import { RouteSpec, route } from '../http/route';
import { currentProfile } from '../hotline/repository';
import { listQuerySchema } from '../tickets/router';
import { listTickets, type TicketRow } from '../tickets/repository';
import { maskPhonesInText } from '../tickets/view';
import { getUnit } from '../units/repository';
import { scoreBreakdown } from './breakdown';
import { dashboard, periodSchema } from './dashboard';
import { sendTable, type ExportColumn } from './export';
import { categoryLabels, closeReasonLabels, itemLabels, urgencyLabels, labelOf, levelLabels, methodLabels, monthListLabels, rateLabels, satisfactionLabels, stageLabels, triggerLabels } from './labels';
import { monthList, monthListNames, monthListQuerySchema, type MonthListRow } from './monthLists';
import { monthlyReport, type MonthlyReport } from './service';
import { listSupervisions, supervisionQuerySchema, type SupervisionRow } from './supervisions';

const supervisors = ['supervisor', 'admin'] as const;
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month 'YYYY-MM'");
const listFormat = z.enum(['json', 'csv', 'xlsx']).default('json').meta({ description: '`csv` / `xlsx`: every matching row (not paged) as a download with Chinese column headers' });
const exportFormat = z.enum(['csv', 'xlsx']);
/** The most rows one download carries. */
const exportLimit = 10_000;

const count = z.number().int();
const dashboardSchema = z.object({
  period: z.string(),
  from: z.string().meta({ description: 'start of the period, +08:00' }),
  to: z.string().meta({ description: 'end of the period (exclusive), +08:00' }),
  now: z.string(),
  created: count,
  byStage: z.record(z.string(), count).meta({ description: 'work orders taken in the period, by stage now (stages with none left out)' }),
  overdueNow: count,
  dueWithin4h: count,
  openSupervisionsByMethod: z.record(z.string(), count).meta({ description: 'written, phone, onSite, meeting, designated, unspecified (every method, zero included)' }),
});
const rateValues = z.record(z.string(), z.number().nullable());
const breakdownSchema = z.object({
  month: z.string(),
  profileId: z.string(),
  scheme: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  participating: z.boolean(),
  rank: z.number().nullable(),
  score: z.looseObject({ score: z.number(), rates: rateValues, breakdown: z.record(z.string(), z.number()) }).nullable(),
  items: z.array(
    z.object({
      id: z.string(),
      maxPoints: z.number().nullable(),
      points: z.number(),
      lines: z.array(
        z.looseObject({
          kind: z.enum(['event', 'rate', 'target']),
          workOrderId: z.string().optional(),
          points: z.number().nullable().meta({ description: 'what this line cost; null: a step under a target, not split by work order' }),
        }),
      ),
    }),
  ),
});
const trendSchema = z.object({
  to: z.string(),
  unit: z.string().nullable(),
  months: z.array(z.object({ month: z.string(), participating: count, rates: rateValues })),
});

type TableRow = MonthlyReport['units'][number] | { unitId: string; unitName: string; participating: false; rank: null; absent: true };

/** The month's table as the supervisor sees it: ranked units first, then 不参与考核. */
function tableColumns(report: MonthlyReport): ExportColumn<TableRow>[] {
  const itemIds = [...new Set(report.units.flatMap((u) => Object.keys(u.breakdown)))];
  const scored = (r: TableRow): r is MonthlyReport['units'][number] => !('absent' in r);
  return [
    { header: '排名', type: 'number', value: (r) => r.rank },
    { header: '单位编号', value: (r) => r.unitId, width: 12 },
    { header: '单位名称', value: (r) => r.unitName, width: 28 },
    { header: '考核状态', value: (r) => (r.participating ? '参与考核' : '不参与考核') },
    { header: '承办工单量', type: 'number', value: (r) => (scored(r) ? r.volume : 0) },
    ...rateNames.map((rate): ExportColumn<TableRow> => ({ header: rateLabels[rate], type: 'rate', value: (r) => (scored(r) ? r.rates[rate] : null) })),
    ...itemIds.map((id): ExportColumn<TableRow> => ({ header: `${labelOf(itemLabels, id)}（分）`, type: 'number', value: (r) => (scored(r) ? (r.breakdown[id] ?? null) : null) })),
    { header: '总分', type: 'number', value: (r) => (scored(r) && r.participating ? r.score : null) },
  ];
}

function tableRows(report: MonthlyReport): TableRow[] {
  return [
    ...report.units.filter((u) => u.participating),
    ...report.units.filter((u) => !u.participating),
    ...report.unitsWithoutWork.map((u) => ({ ...u, participating: false as const, rank: null, absent: true as const })),
  ];
}

const supervisionColumns: ExportColumn<SupervisionRow>[] = [
  { header: '督办编号', value: (r) => r.id, width: 22 },
  { header: '工单编号', value: (r) => r.workOrderId, width: 18 },
  { header: '被督办单位', value: (r) => r.unitName ?? r.unitId ?? '全部承办单位', width: 24 },
  { header: '督办方式', value: (r) => labelOf(methodLabels, r.method) },
  { header: '督办级别', value: (r) => labelOf(levelLabels, r.level) },
  { header: '督办原因', value: (r) => labelOf(triggerLabels, r.trigger) },
  { header: '督办说明', value: (r) => r.reason, width: 30 },
  { header: '督办时间', type: 'time', value: (r) => r.openedAt },
  { header: '督办人', value: (r) => r.openedBy ?? '系统' },
  { header: '状态', value: (r) => (r.status === 'open' ? '督办中' : '已结束') },
  { header: '结束时间', type: 'time', value: (r) => r.closedAt },
  { header: '结束原因', value: (r) => labelOf(closeReasonLabels, r.closeReason), width: 24 },
  { header: '工单状态', value: (r) => labelOf(stageLabels, r.stage) },
  { header: '诉求内容', value: (r) => r.summary, width: 40 },
];

const monthListColumns: ExportColumn<MonthListRow>[] = [
  { header: '工单编号', value: (r) => r.workOrderId, width: 18 },
  { header: '承办单位', value: (r) => r.unitNames.join('、'), width: 30 },
  { header: '诉求类别', value: (r) => labelOf(categoryLabels, r.category) },
  { header: '工单状态', value: (r) => labelOf(stageLabels, r.stage) },
  { header: '回访时间', type: 'time', value: (r) => r.callbackAt },
  { header: '满意度', value: (r) => labelOf(satisfactionLabels, r.satisfaction) },
  { header: '受理时间', type: 'time', value: (r) => r.createdAt },
  { header: '办结期限', type: 'time', value: (r) => r.completionDeadline },
  { header: '结案时间', type: 'time', value: (r) => r.closedAt },
  { header: '诉求内容', value: (r) => r.summary, width: 40 },
];

/**
 * Free text in the supervisor's lists and downloads carries no phone number (supervisors may not
 * see callers' phones; README "Access control"): masked as in every other reader's view.
 */
const masked = (text: string | null | undefined): string | null => (text == null ? null : maskPhonesInText(text));

const workListColumns = (unitName: (id: string | null) => string): ExportColumn<TicketRow>[] => [
  { header: '工单编号', value: (r) => r.id, width: 18 },
  { header: '工单状态', value: (r) => labelOf(stageLabels, r.stage) },
  { header: '诉求类别', value: (r) => labelOf(categoryLabels, r.category) },
  { header: '紧急程度', value: (r) => labelOf(urgencyLabels, r.urgency) },
  { header: '主办单位', value: (r) => unitName(r.mainUnitId), width: 24 },
  { header: '协办单位', value: (r) => r.coUnitIds.map(unitName).join('、'), width: 24 },
  { header: '诉求内容', value: (r) => masked(r.summary), width: 40 },
  { header: '地址', value: (r) => masked(r.address), width: 30 },
  { header: '受理时间', type: 'time', value: (r) => r.createdAt },
  { header: '下一时限', type: 'time', value: (r) => r.nextDeadline },
  { header: '是否超期', value: (r) => r.overdue },
  { header: '办结时间', type: 'time', value: (r) => r.closedAt },
];

const maskSupervision = (r: SupervisionRow): SupervisionRow => ({ ...r, reason: masked(r.reason) ?? '', summary: masked(r.summary) });

export function supervisorRoutes(deps: { pool: Pool; now: () => Date }): RouteSpec<any>[] {
  return [
    route({
      method: 'get',
      path: '/reports/work-orders/export',
      summary: 'The work list (the same filters as GET /tickets) as CSV or Excel, Chinese headers: the lists behind the dashboard’s numbers',
      description: 'Every matching work order up to 10 000, in the list’s order. No caller name or phone; phone numbers in free text are masked.',
      tags: ['reports'],
      roles: supervisors,
      schemas: { query: listQuerySchema.omit({ page: true, pageSize: true }).extend({ format: exportFormat }) },
      responses: { 200: { description: 'the list', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', schema: z.string().meta({ format: 'binary' }) } },
      handler: async ({ res, user, query }) => {
        const { format, ...filter } = query;
        const rows: TicketRow[] = [];
        for (let page = 1; rows.length < exportLimit; page++) {
          const { items } = await listTickets(deps.pool, user, { ...filter, page, pageSize: 200 }, deps.now());
          rows.push(...items);
          if (items.length < 200) break;
        }
        const names = new Map((await deps.pool.query<{ id: string; name: string }>('SELECT id, name FROM units')).rows.map((u) => [u.id, u.name]));
        const unitName = (id: string | null) => (id ? (names.get(id) ?? id) : '');
        await sendTable(res, format, '工单列表', '工单列表', workListColumns(unitName), rows.slice(0, exportLimit));
      },
    }),
    route({
      method: 'get',
      path: '/reports/dashboard',
      summary: 'The supervisor’s dashboard for a period: work orders by stage, overdue now, due within 4 hours, open 督办 by method',
      description:
        '`byStage` counts the work orders taken (created) in [from, to) by their stage now (the list: `GET /tickets?stage=&createdFrom=&createdTo=`); ' +
        '`overdueNow` and `dueWithin4h` are now, whatever the period (`GET /tickets?overdue=true`, `?dueWithin=4h`); ' +
        '`openSupervisionsByMethod` counts open 督办 records (`GET /reports/supervisions?status=open&method=`).',
      tags: ['reports'],
      roles: supervisors,
      schemas: { query: z.object({ period: periodSchema }) },
      responses: { 200: { description: 'the figures and the period’s bounds (+08:00)', schema: dashboardSchema } },
      handler: async ({ res, user, query }) => {
        res.json(await dashboard(deps.pool, user, query.period, deps.now()));
      },
    }),
    route({
      method: 'get',
      path: '/reports/monthly/export',
      summary: 'The month’s table of every unit (rank, rates, item points, score; 不参与考核 units last) as CSV or Excel, Chinese headers',
      tags: ['reports'],
      roles: supervisors,
      schemas: { query: z.object({ month, format: exportFormat }) },
      responses: {
        200: { description: 'the table', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', schema: z.string().meta({ format: 'binary' }) },
      },
      handler: async ({ res, query }) => {
        const report = await monthlyReport(deps.pool, query.month, deps.now());
        await sendTable(res, query.format, `单位考核-${query.month}`, `${query.month} 单位考核`, tableColumns(report), tableRows(report));
      },
    }),
    route({
      method: 'get',
      path: '/reports/monthly/breakdown',
      summary: 'One unit’s month split into the scheme’s items, with each line that cost it points and its work order',
      tags: ['reports'],
      roles: supervisors,
      schemas: { query: z.object({ month, unit: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/) }) },
      responses: { 200: { description: 'the items', schema: breakdownSchema }, 404: { description: 'no such unit' } },
      handler: async ({ res, query }) => {
        const unit = await getUnit(deps.pool, query.unit);
        if (!unit) throw notFound('unit');
        const [report, profile] = await Promise.all([monthlyReport(deps.pool, query.month, deps.now(), { trace: true }), currentProfile(deps.pool)]);
        const score = report.units.find((u) => u.unitId === query.unit);
        const summary = score ? (({ causes: _causes, ...plain }) => plain)(score) : null;
        res.json({
          month: report.month,
          profileId: report.profileId,
          scheme: report.scheme,
          unitId: unit.id,
          unitName: unit.name,
          participating: score?.participating ?? false,
          rank: score?.rank ?? null,
          score: summary,
          items: score ? scoreBreakdown(profile.scoring, score) : [],
        });
      },
    }),
    route({
      method: 'get',
      path: '/reports/trend',
      summary: 'Each rate over the months ending with `to` (default 12): the hotline’s, or one unit’s',
      tags: ['reports'],
      roles: supervisors,
      schemas: {
        query: z.object({
          to: month,
          months: z.coerce.number().int().min(1).max(24).default(12),
          unit: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/).optional(),
        }),
      },
      responses: { 200: { description: 'the months, oldest first', schema: trendSchema } },
      handler: async ({ res, query }) => {
        const months = await rateTrend(deps.pool, monthsEnding(query.to, query.months), deps.now(), query.unit);
        res.json({ to: query.to, unit: query.unit ?? null, months });
      },
    }),
    route({
      method: 'get',
      path: '/reports/supervisions',
      summary: 'The 督办 records, open and closed, with method and outcome (paged; or a CSV / Excel download)',
      description: 'Newest first. `method=unspecified`: records the clock opened (or a 督办 given without a method).',
      tags: ['reports'],
      roles: supervisors,
      schemas: { query: supervisionQuerySchema.extend({ format: listFormat }) },
      responses: {
        200: {
          description: 'a page of records',
          schema: z.object({ items: z.array(z.looseObject({ id: z.string(), workOrderId: z.string(), method: z.string(), status: z.enum(['open', 'closed']) })), page: z.number(), pageSize: z.number(), total: z.number() }),
        },
      },
      handler: async ({ res, query }) => {
        const { format, ...filter } = query;
        if (format === 'json') {
          const page = await listSupervisions(deps.pool, filter);
          res.json({ ...page, items: page.items.map(maskSupervision), page: filter.page, pageSize: filter.pageSize });
          return;
        }
        const all = await listSupervisions(deps.pool, { ...filter, page: 1, pageSize: exportLimit });
        await sendTable(res, format, '督办记录', '督办记录', supervisionColumns, all.items.map(maskSupervision));
      },
    }),
    route({
      method: 'get',
      path: '/reports/lists/:list',
      summary: 'A month’s 未先联 / 未解决 / 不满意 work orders (003 第五条(三)) or those overdue after an extension (paged; or CSV / Excel)',
      description: '未先联 / 未解决 / 不满意: a callback that reached the caller in the month said so (the work order is usually re-handled, 003 第五条(四)). `overdueAfterExtension`: the rows the month’s scoring counted as 经延期办理而又超期未办结 (000 附件2 五.2). `unit`: those of one unit (main or co).',
      tags: ['reports'],
      roles: supervisors,
      schemas: { params: z.object({ list: z.enum(monthListNames) }), query: monthListQuerySchema.extend({ month, format: listFormat }) },
      responses: {
        200: { description: 'a page of work orders', schema: z.object({ items: z.array(z.looseObject({ workOrderId: z.string(), unitIds: z.array(z.string()) })), page: z.number(), pageSize: z.number(), total: z.number() }) },
      },
      handler: async ({ res, params, query }) => {
        const rows = (await monthList(deps.pool, params.list, query.month, deps.now(), query.unit)).map((r) => ({ ...r, summary: masked(r.summary) ?? '' }));
        if (query.format === 'json') {
          const from = (query.page - 1) * query.pageSize;
          res.json({ items: rows.slice(from, from + query.pageSize), page: query.page, pageSize: query.pageSize, total: rows.length });
          return;
        }
        const title = `${monthListLabels[params.list]}-${query.month}`;
        await sendTable(res, query.format, title, title, monthListColumns, rows.slice(0, exportLimit));
      },
    }),
  ];
}
