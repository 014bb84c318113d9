/**
 * The supervisor's API (issue 14): the dashboard and the lists behind its numbers, the 督办
 * records (003/001/004: every 督办 recorded with its method), the month lists of 003 第五条(三),
 * one unit's breakdown with the work orders that cost it points, the trend, and the CSV / Excel
 * exports read back with exceljs. One service and one generated month for the whole file.
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { generateSupervisorMonth, month, type SupervisorMonth } from '../support/supervisorMonth';

jest.setTimeout(180_000);
let t: TestApp;
let wo: SupervisorMonth;

beforeAll(async () => {
  t = await startTestApp();
  wo = await generateSupervisorMonth(t);
}, 600_000);
afterAll(() => t?.stop());

const get = (url: string, who: Parameters<TestApp['auth']>[0] = 'supervisor') => request(t.app).get(url).set(t.auth(who));

/** Reads an .xlsx response body back with exceljs: the first sheet's rows as arrays of cell values. */
async function sheetRows(res: request.Response): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.body as never);
  const sheet = workbook.worksheets[0];
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const xlsx = (url: string) => get(url).buffer(true).parse(binary as never);

test('the dashboard’s numbers equal the totals of the lists they link to', async () => {
  const d = await get(`/reports/dashboard?period=${month}`).expect(200);
  expect(d.body).toMatchObject({ period: month, from: '2026-03-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' });
  expect(d.body.created).toBe(7);
  for (const [stage, n] of Object.entries(d.body.byStage as Record<string, number>)) {
    const list = await get(`/tickets?stage=${stage}&createdFrom=${encodeURIComponent(d.body.from)}&createdTo=${encodeURIComponent(d.body.to)}`).expect(200);
    expect([stage, list.body.total]).toEqual([stage, n]);
  }
  expect(d.body.byStage.closed).toBe(3); // good, notContacted, late
  const overdue = await get('/tickets?overdue=true').expect(200);
  expect(d.body.overdueNow).toBe(overdue.body.total);
  expect(d.body.overdueNow).toBeGreaterThanOrEqual(2); // unsigned, extended
  const soon = await get('/tickets?dueWithin=4h').expect(200);
  expect(d.body.dueWithin4h).toBe(soon.body.total);
  for (const [method, n] of Object.entries(d.body.openSupervisionsByMethod as Record<string, number>)) {
    const list = await get(`/reports/supervisions?status=open&method=${method}`).expect(200);
    expect([method, list.body.total]).toEqual([method, n]);
  }
  expect(d.body.openSupervisionsByMethod.onSite).toBe(1);
  expect(d.body.openSupervisionsByMethod.unspecified).toBeGreaterThanOrEqual(1);

  // Today (the sandbox's 2026-03-20) nothing was taken; a week and a month are Monday- and 1st-based.
  const today = await get('/reports/dashboard?period=today').expect(200);
  expect(today.body).toMatchObject({ from: '2026-03-20T00:00:00+08:00', to: '2026-03-21T00:00:00+08:00', created: 0 });
  const week = await get('/reports/dashboard?period=week').expect(200);
  expect(week.body).toMatchObject({ from: '2026-03-16T00:00:00+08:00', to: '2026-03-23T00:00:00+08:00' });
  const thisMonth = await get('/reports/dashboard?period=month').expect(200);
  expect(thisMonth.body.created).toBe(7);
});

test('督办 records: open and closed, with method and outcome, filtered and paged', async () => {
  const all = await get('/reports/supervisions?pageSize=200').expect(200);
  const manual = all.body.items.find((r: { workOrderId: string; openedBy: string | null }) => r.workOrderId === wo.supervised && r.openedBy);
  expect(manual).toMatchObject({ method: 'onSite', trigger: 'media', openedBy: 'supervisor-1', status: 'open', unitId: 'kf-025', stage: 'handling' });
  const byClock = all.body.items.filter((r: { workOrderId: string }) => r.workOrderId === wo.unsigned);
  expect(byClock.length).toBeGreaterThanOrEqual(1);
  expect(byClock[0]).toMatchObject({ method: 'unspecified', openedBy: null, status: 'open', unitId: 'kf-046' });
  // Newest first.
  const opened = all.body.items.map((r: { openedAt: string }) => r.openedAt);
  expect([...opened].sort().reverse()).toEqual(opened);

  const onSite = await get('/reports/supervisions?method=onSite').expect(200);
  expect(onSite.body.items.map((r: { workOrderId: string }) => r.workOrderId)).toEqual([wo.supervised]);
  const byUnit = await get('/reports/supervisions?unit=kf-046').expect(200);
  expect(byUnit.body.items.every((r: { unitId: string }) => r.unitId === 'kf-046')).toBe(true);
  const byWorkOrder = await get(`/reports/supervisions?workOrderId=${wo.unsigned}`).expect(200);
  expect(byWorkOrder.body.total).toBe(byClock.length);
  const page2 = await get('/reports/supervisions?pageSize=1&page=2').expect(200);
  expect(page2.body).toMatchObject({ page: 2, pageSize: 1, total: all.body.total });
  expect(page2.body.items[0].id).toBe(all.body.items[1].id);
  const beyond = await get('/reports/supervisions?pageSize=10&page=99').expect(200);
  expect(beyond.body).toMatchObject({ items: [], total: all.body.total });
  const before = await get('/reports/supervisions?openedTo=2026-03-01').expect(200);
  expect(before.body.total).toBe(0);

  // Closing the work order closes its 督办: the outcome says so.
  await request(t.app).post(`/tickets/${wo.supervised}/withdraw`).set(t.auth('center')).send({ reason: '市民来电撤回诉求' }).expect(200);
  const closed = await eventuallyStatus(wo.supervised, 'onSite', 'closed');
  expect(closed).toMatchObject({ status: 'closed', stage: 'withdrawn', method: 'onSite' });
  expect(closed.closedAt).toEqual(expect.any(String));
  expect(closed.closeReason).toEqual(expect.any(String));
  const closedCsv = await get(`/reports/supervisions?workOrderId=${wo.supervised}&method=onSite&format=csv`).expect(200);
  expect(closedCsv.text).toContain('随工单撤单而结束');
  expect(closedCsv.text).toContain('已撤单');
  const closedList = await get('/reports/supervisions?status=closed').expect(200);
  expect(closedList.body.items.some((r: { workOrderId: string }) => r.workOrderId === wo.supervised)).toBe(true);
});

async function eventuallyStatus(workOrderId: string, method: string, status: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 150; i++) {
    const res = await get(`/reports/supervisions?workOrderId=${workOrderId}&method=${method}`).expect(200);
    if (res.body.items[0]?.status === status) return res.body.items[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`督办 of ${workOrderId} never became ${status}`);
}

test('bad input names the field; units and the center are refused (403)', async () => {
  const bad = await get('/reports/supervisions?method=byPigeon&status=maybe&page=0').expect(400);
  expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['query.method', 'query.page', 'query.status']);
  const badList = await get('/reports/lists/everything?month=2026-13').expect(400);
  expect(badList.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['params.list', 'query.month']);
  await get('/reports/dashboard?period=yesterday').expect(400);
  for (const url of [
    '/reports/dashboard',
    '/reports/supervisions',
    `/reports/lists/unsatisfied?month=${month}`,
    `/reports/monthly/breakdown?month=${month}&unit=kf-047`,
    `/reports/monthly/export?month=${month}&format=csv`,
    `/reports/trend?to=${month}`,
  ]) {
    const unit = await get(url, { unit: 'kf-047' });
    expect([url, unit.status, unit.body.type]).toEqual([url, 403, 'FORBIDDEN']);
    expect([url, (await get(url, 'center')).status]).toEqual([url, 403]);
    expect([url, (await get(url, 'admin')).status]).toEqual([url, 200]);
  }
});

test('the month lists of 003 第五条(三): 未先联, 未解决, 不满意, and overdue after an extension', async () => {
  const ids = async (list: string, extra = '') => (await get(`/reports/lists/${list}?month=${month}${extra}`).expect(200)).body.items.map((r: { workOrderId: string }) => r.workOrderId);
  expect(await ids('notContactedFirst')).toEqual([wo.notContacted]);
  expect(await ids('unresolved')).toEqual([wo.unsatisfied]);
  expect(await ids('unsatisfied')).toEqual([wo.unsatisfied]);
  expect(await ids('overdueAfterExtension')).toEqual([wo.extended]);
  expect(await ids('unsatisfied', '&unit=kf-047')).toEqual([]);
  expect(await ids('unsatisfied', '&unit=kf-046')).toEqual([wo.unsatisfied]);
  expect((await get('/reports/lists/notContactedFirst?month=2026-02').expect(200)).body).toMatchObject({ items: [], total: 0 });
  const row = (await get(`/reports/lists/unsatisfied?month=${month}`).expect(200)).body.items[0];
  expect(row).toMatchObject({ unitIds: ['kf-046'], satisfaction: 'unsatisfied', category: 'complaint', summary: '井盖缺失' });
  expect(row.callbackAt).toEqual(expect.any(String));

  const csv = await get(`/reports/lists/unsatisfied?month=${month}&format=csv`).expect(200);
  expect(csv.headers['content-type']).toMatch(/text\/csv/);
  const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0].split(',').slice(0, 3)).toEqual(['工单编号', '承办单位', '诉求类别']);
  expect(lines[1]).toContain(wo.unsatisfied);
  expect(lines[1]).toContain('不满意');

  const book = await xlsx(`/reports/lists/overdueAfterExtension?month=${month}&format=xlsx`).expect(200);
  expect(book.headers['content-type']).toMatch(/spreadsheetml/);
  const rows = await sheetRows(book);
  expect(rows[0][0]).toBe('工单编号');
  expect(rows.slice(1).map((r) => r[0])).toEqual([wo.extended]);
});

test('the month’s report ranks only the units with work; the rest are 不参与考核', async () => {
  const report = (await get(`/reports/monthly?month=${month}`).expect(200)).body;
  const taking = report.units.filter((u: { participating: boolean }) => u.participating);
  expect(taking.map((u: { unitId: string }) => u.unitId).sort()).toEqual(['kf-010', 'kf-025', 'kf-046', 'kf-047']);
  // Ranks follow the scores, best first, ties sharing the better rank.
  for (const u of taking) expect(u.rank).toBe(1 + taking.filter((o: { score: number }) => o.score > u.score).length);
  expect(report.unitsWithoutWork.length).toBe(59 - report.units.length);
  expect(report.unitsWithoutWork.map((u: { unitId: string }) => u.unitId)).toContain('kf-001');
});

test('one unit’s breakdown: the scheme’s items, their points as in the report, each deduction with its work order', async () => {
  const report = (await get(`/reports/monthly?month=${month}`).expect(200)).body;
  for (const unitId of ['kf-025', 'kf-046', 'kf-047']) {
    const b = (await get(`/reports/monthly/breakdown?month=${month}&unit=${unitId}`).expect(200)).body;
    const inReport = report.units.find((u: { unitId: string }) => u.unitId === unitId);
    expect(b).toMatchObject({ unitId, participating: true, rank: inReport.rank, scheme: 'thresholds' });
    expect(Object.fromEntries(b.items.map((i: { id: string; points: number }) => [i.id, i.points]))).toEqual(inReport.breakdown);
  }
  // kf-025 was urged twice on the extended work order and still overdue: −5 (001 第四条(四)6).
  const b = (await get(`/reports/monthly/breakdown?month=${month}&unit=kf-025`).expect(200)).body;
  const item = b.items.find((i: { id: string }) => i.id === 'onTimeCompletion');
  expect(item.lines).toContainEqual({ kind: 'event', event: 'urgedTwiceStillOverdue', workOrderId: wo.extended, points: 5 });
  expect(item.lines).toContainEqual(expect.objectContaining({ kind: 'target', rate: 'onTimeCompletion' }));
  expect(item.lines).toContainEqual({ kind: 'rate', rate: 'onTimeCompletion', workOrderId: wo.extended, points: null });
  // A unit with no work: not taking part, nothing to break down.
  const none = (await get(`/reports/monthly/breakdown?month=${month}&unit=kf-001`).expect(200)).body;
  expect(none).toMatchObject({ unitId: 'kf-001', participating: false, rank: null, items: [] });
  await get(`/reports/monthly/breakdown?month=${month}&unit=kf-999`).expect(404);
});

test('the trend: twelve months ending with the chosen one, the hotline’s rates from the units’ counts', async () => {
  const report = (await get(`/reports/monthly?month=${month}`).expect(200)).body;
  const trend = (await get(`/reports/trend?to=${month}`).expect(200)).body;
  expect(trend.months.map((m: { month: string }) => m.month)).toEqual([
    '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03',
  ]);
  expect(trend.months[0]).toMatchObject({ participating: 0, rates: { onTimeSign: null, satisfaction: null } });
  const taking = report.units.filter((u: { participating: boolean }) => u.participating);
  const sum = (k: string) => taking.reduce((s: number, u: { counts: Record<string, number> }) => s + u.counts[k], 0);
  const last = trend.months[11];
  expect(last.participating).toBe(taking.length);
  expect(last.rates.onTimeSign).toBeCloseTo(sum('signedOnTime') / sum('signDue'), 4);
  expect(last.rates.satisfaction).toBeCloseTo(sum('satisfied') / sum('rated'), 4);
  const one = (await get(`/reports/trend?to=${month}&months=1&unit=kf-047`).expect(200)).body;
  const kf047 = taking.find((u: { unitId: string }) => u.unitId === 'kf-047');
  expect(one.months[0].rates.firstContact).toBeCloseTo(kf047.rates.firstContact, 4);
});

test('the month’s table exports as CSV and Excel with Chinese headers and numbers as numbers', async () => {
  const report = (await get(`/reports/monthly?month=${month}`).expect(200)).body;
  const book = await xlsx(`/reports/monthly/export?month=${month}&format=xlsx`).expect(200);
  expect(book.headers['content-disposition']).toContain("filename*=UTF-8''");
  const rows = await sheetRows(book);
  const header = rows[0] as string[];
  expect(header.slice(0, 5)).toEqual(['排名', '单位编号', '单位名称', '考核状态', '承办工单量']);
  const col = (name: string) => header.indexOf(name);
  const byUnit = new Map(rows.slice(1).map((r) => [r[1], r]));
  expect(rows.length - 1).toBe(report.units.length + report.unitsWithoutWork.length);
  for (const u of report.units.filter((x: { participating: boolean }) => x.participating)) {
    const r = byUnit.get(u.unitId)!;
    expect(r[col('排名')]).toBe(u.rank);
    expect(r[col('承办工单量')]).toBe(u.volume);
    expect(r[col('总分')]).toBe(u.score);
    expect(typeof r[col('总分')]).toBe('number');
    expect(r[col('按时签收率')]).toBe(u.rates.onTimeSign ?? null);
    expect(r[col('考核状态')]).toBe('参与考核');
  }
  expect(byUnit.get('kf-001')![col('考核状态')]).toBe('不参与考核');
  expect(byUnit.get('kf-001')![col('排名')] ?? null).toBeNull(); // an empty cell

  const csv = await get(`/reports/monthly/export?month=${month}&format=csv`).expect(200);
  const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0].startsWith('排名,单位编号,单位名称,考核状态,承办工单量,按时签收率')).toBe(true);
  const top = report.units.find((u: { rank: number }) => u.rank === 1);
  expect(lines[1].split(',').slice(0, 3)).toEqual(['1', top.unitId, top.unitName]);
});

test('督办 from a list: the supervisor chooses the method; it is listed with it', async () => {
  await request(t.app)
    .post(`/tickets/${wo.extended}/supervise`)
    .set(t.auth('supervisor'))
    .send({ method: 'written', trigger: 'manual', reason: '延期后仍超期，书面督办' })
    .expect(200);
  const rows = await eventuallyItems(`/reports/supervisions?workOrderId=${wo.extended}&method=written`);
  expect(rows[0]).toMatchObject({ method: 'written', openedBy: 'supervisor-1', reason: '延期后仍超期，书面督办', status: 'open' });
  const book = await xlsx(`/reports/supervisions?workOrderId=${wo.extended}&format=xlsx`).expect(200);
  const sheet = await sheetRows(book);
  expect(sheet[0].slice(0, 4)).toEqual(['督办编号', '工单编号', '被督办单位', '督办方式']);
  expect(sheet.slice(1).some((r) => r[3] === '书面督办')).toBe(true);
});

async function eventuallyItems(url: string): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 150; i++) {
    const res = await get(url).expect(200);
    if (res.body.items.length) return res.body.items;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing at ${url}`);
}

test('the console gets ECharts from the installed package, as an ES module (no build output committed)', async () => {
  // The console's scripts, from the entry through what it imports (statically or lazily): one of
  // them (the supervisor's lazy chunk) loads ECharts from its /vendor address.
  const index = await request(t.app).get('/').expect(200);
  const seen = new Set<string>();
  const queue = [...index.text.matchAll(/src="(\/console\/[^"]+\.js)"/g)].map((m) => m[1]);
  let loadsEcharts = false;
  while (queue.length && !loadsEcharts) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const script = (await request(t.app).get(url).expect(200)).text;
    loadsEcharts = /["']\/vendor\/echarts\.js["']|["']echarts["']/.test(script);
    for (const m of script.matchAll(/["'](\.{1,2}\/[\w./-]+\.js)["']/g)) queue.push(new URL(m[1], `http://x${url}`).pathname);
  }
  expect(loadsEcharts).toBe(true);
  const echarts = await request(t.app).get('/vendor/echarts.js').expect(200);
  expect(echarts.headers['content-type']).toMatch(/javascript/);
  expect(echarts.text).toMatch(/export\s*\{[^}]*\bgetInstanceByDom\b/);
});

test('the work list behind a dashboard number downloads with the same filters; no phone number reaches a supervisor', async () => {
  const created = await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .send({ callerName: '赵六', callerPhone: '13912345678', summary: '请回电 13912345678 说明情况', category: 'help', mainUnitId: 'kf-047' })
    .expect(201);
  const id = created.body.workOrderId as string;
  await request(t.app).post(`/tickets/${id}/supervise`).set(t.auth('supervisor')).send({ method: 'phone', reason: '联系 13912345678 督促' }).expect(200);

  const overdue = await get('/tickets?overdue=true&pageSize=200').expect(200);
  const book = await xlsx('/reports/work-orders/export?overdue=true&format=xlsx').expect(200);
  const rows = await sheetRows(book);
  expect(rows[0].slice(0, 4)).toEqual(['工单编号', '工单状态', '诉求类别', '紧急程度']);
  expect(rows.slice(1).map((r) => r[0]).sort()).toEqual(overdue.body.items.map((i: { id: string }) => i.id).sort());
  expect(rows.slice(1).every((r) => r[rows[0].indexOf('是否超期')] === '是')).toBe(true);

  const all = await get(`/reports/work-orders/export?text=${id}&format=csv`).expect(200);
  expect(all.text).toContain(id);
  expect(all.text).toContain('[电话已隐藏]');
  expect(all.text).not.toContain('13912345678');
  const records = await eventuallyItems(`/reports/supervisions?workOrderId=${id}`);
  expect(JSON.stringify(records)).not.toContain('13912345678');
  expect(records[0]).toMatchObject({ reason: '联系 [电话已隐藏] 督促', method: 'phone' });
  const recordsCsv = await get(`/reports/supervisions?workOrderId=${id}&format=csv`).expect(200);
  expect(recordsCsv.text).not.toContain('13912345678');
  await get('/reports/work-orders/export?overdue=true&format=csv', { unit: 'kf-047' }).expect(403);
  await get('/reports/work-orders/export?stage=nowhere&format=csv').expect(400);
});

test('the new calls are in the OpenAPI document, with their roles', async () => {
  const doc = (await request(t.app).get('/openapi.json').expect(200)).body;
  for (const p of ['/reports/dashboard', '/reports/supervisions', '/reports/lists/{list}', '/reports/monthly/breakdown', '/reports/monthly/export', '/reports/trend', '/reports/work-orders/export']) {
    expect([p, doc.paths[p]?.get?.description ?? '']).toEqual([p, expect.stringContaining('Roles: supervisor, admin.')]);
  }
  expect(Object.keys(doc.paths['/reports/supervisions'].get.parameters.reduce((o: Record<string, 1>, x: { name: string }) => ({ ...o, [x.name]: 1 }), {}))).toEqual(
    expect.arrayContaining(['status', 'method', 'unit', 'workOrderId', 'page', 'pageSize', 'format']),
  );
});
