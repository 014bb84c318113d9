/**
 * The supervisor's screens in a real browser (issue 14): headless Chromium (playwright-core)
 * against the real service on a sandbox clock, with a month of work orders generated through
 * the API (test/support/supervisorMonth.ts). One service start for the file. Screenshots go to
 * artifacts/screenshots/ (git-ignored).
 *
 * Needs /usr/bin/chromium (`.ci/run` installs Debian's `chromium` when missing) or CHROMIUM_PATH.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { generateSupervisorMonth, month, type SupervisorMonth } from '../support/supervisorMonth';

jest.setTimeout(300_000);
// The functions given to page.evaluate run in the browser.
declare const document: any;

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = path.resolve(__dirname, '../../artifacts/screenshots');
let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;
let wo: SupervisorMonth;
let report: {
  units: { unitId: string; unitName: string; participating: boolean; rank: number | null; volume: number; score: number; rates: Record<string, number | null>; breakdown: Record<string, number> }[];
  unitsWithoutWork: { unitId: string; unitName: string }[];
};
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH`);
  mkdirSync(shots, { recursive: true });
  t = await startTestApp({ passwords: true });
  server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  [browser, wo] = await Promise.all([
    chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
    generateSupervisorMonth(t),
  ]);
  report = (await request(t.app).get(`/reports/monthly?month=${month}`).set(t.auth('supervisor')).expect(200)).body;
}, 600_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await t?.stop();
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

async function newPage(viewport = { width: 1366, height: 768 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('#password').press('Enter');
  await page.locator('[data-test=who]').waitFor();
}

let supervisor: Page;
const asSupervisor = async () => {
  if (!supervisor) {
    supervisor = await newPage();
    await signIn(supervisor, 'supervisor-1', t.passwords.supervisor.password);
  }
  return supervisor;
};

/** The rate and points texts as the console writes them (console/views/supervisor/numbers.js). */
const rateText = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(2)}%`);
const pointsText = (p: number | null | undefined) => (p === null || p === undefined ? '—' : String(p));

test('the supervisor lands on the dashboard; every number links to the list behind it', async () => {
  const page = await asSupervisor();
  await page.locator('[data-test=supervisor-dashboard]').waitFor();
  await page.locator('[data-test=fig-created]').waitFor();
  await shot(page, 'supervisor-01-dashboard-today');

  await page.goto(`${base}/#/supervisor?period=${month}`);
  await page.locator('[data-test=fig-created]', { hasText: '7' }).waitFor();
  const closed = await page.locator('[data-test=stage-closed]').innerText();
  expect(closed).toBe('3');
  expect(await page.locator('[data-test=method-onSite]').innerText()).toBe('1');
  await shot(page, 'supervisor-02-dashboard-month');

  await page.locator('[data-test=stage-closed]').click();
  await page.waitForURL(/#\/list\?/);
  await page.locator('[data-test=list-total]', { hasText: '共 3 件' }).waitFor();
  for (const id of [wo.good, wo.notContacted, wo.late]) await page.locator('[data-test=work-list]', { hasText: id }).waitFor();

  await page.goto(`${base}/#/supervisor?period=${month}`);
  const overdue = await page.locator('[data-test=fig-overdue]').innerText();
  await page.locator('[data-test=fig-overdue]').click();
  await page.locator('[data-test=list-total]', { hasText: `共 ${overdue} 件` }).waitFor();
  // The list behind the number downloads as it is filtered.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-xlsx]').click()]);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(await download.path());
  expect(workbook.worksheets[0].rowCount).toBe(1 + Number(overdue));
  // 督办 from the overdue list, the method chosen in the dialog.
  const unsignedRow = page.locator('[data-test=work-list] tr', { hasText: wo.unsigned });
  await unsignedRow.locator('[data-test=row-supervise]').click();
  const dialog = page.locator('.el-dialog', { hasText: `督办工单 ${wo.unsigned}` });
  await dialog.locator('[data-test=supervise-method]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '指定督办' }).click();
  await dialog.locator('#sv-reason').fill('超期未签收，指定督办');
  await dialog.locator('[data-test=supervise-submit]').click();
  await page.locator('[data-test=notice]', { hasText: `已对工单 ${wo.unsigned} 发出督办` }).waitFor();
  const designated = await request(t.app).get(`/reports/supervisions?workOrderId=${wo.unsigned}&method=designated`).set(t.auth('supervisor')).expect(200);
  expect(designated.body.items[0]).toMatchObject({ method: 'designated', openedBy: 'supervisor-1', reason: '超期未签收，指定督办' });
  // The work order shows that 督办 with its method.
  await unsignedRow.getByRole('link', { name: wo.unsigned }).click();
  await page.locator('[data-test=escalations] [data-test=escalation-method]', { hasText: '指定督办' }).waitFor();

  await page.goto(`${base}/#/supervisor?period=${month}`);
  await page.locator('[data-test=method-onSite]').click();
  await page.locator('[data-test=supervisor-supervisions]').waitFor();
  await page.locator('[data-test=list-total]', { hasText: '共 1 条' }).waitFor();
  await page.locator('[data-test=supervision-list]', { hasText: wo.supervised }).waitFor();
  await page.locator('[data-test=supervision-list] [data-test=cell-method]', { hasText: '现场督办' }).waitFor();
  await shot(page, 'supervisor-03-supervisions');
});

test('unit performance: the table equals GET /reports/monthly cell by cell, and the ranking chart has one bar per rated unit in its order', async () => {
  const page = await asSupervisor();
  await page.goto(`${base}/#/supervisor/performance?month=${month}`);
  await page.locator('[data-test=perf-table] [data-test=cell-unit]', { hasText: report.units[0].unitName }).waitFor();

  const itemIds = [...new Set(report.units.flatMap((u) => Object.keys(u.breakdown)))];
  const rendered: Record<string, string>[] = await page.evaluate(() =>
    [...document.querySelectorAll('[data-test=perf-table] .el-table__body-wrapper tbody tr')].map((tr: any) =>
      Object.fromEntries([...tr.querySelectorAll('[data-test^=cell-]')].map((c: any) => [c.getAttribute('data-test'), c.textContent.trim()]).concat([['unitId', tr.querySelector('[data-unit]')?.getAttribute('data-unit')]])),
    ),
  );
  const rated = report.units.filter((u) => u.participating);
  const expected = [
    ...rated,
    ...report.units.filter((u) => !u.participating),
    ...report.unitsWithoutWork.map((u) => ({ ...u, participating: false, rank: null, volume: 0, score: null, rates: {} as Record<string, number | null>, breakdown: {} as Record<string, number> })),
  ].map((u) => ({
    unitId: u.unitId,
    'cell-rank': u.rank === null ? '—' : String(u.rank),
    'cell-unit': u.unitName,
    'cell-status': u.participating ? '参与考核' : '不参与考核',
    'cell-volume': String(u.volume),
    ...Object.fromEntries(['onTimeSign', 'onTimeCompletion', 'completion', 'firstContact', 'resolution', 'satisfaction'].map((k) => [`cell-rate-${k}`, rateText(u.rates[k])])),
    ...Object.fromEntries(itemIds.map((id) => [`cell-item-${id}`, pointsText(u.breakdown[id])])),
    'cell-score': u.participating ? pointsText(u.score) : '—',
  }));
  expect(rendered).toEqual(expected);
  expect(rated.length).toBe(4);

  // (A string, so TypeScript leaves the dynamic import alone: it runs in the browser, where
  // /vendor/echarts.js is the very module instance the console's charts use.)
  const chartOption = (selector: string) =>
    page.evaluate(`import('/vendor/echarts.js').then((echarts) => echarts.getInstanceByDom(document.querySelector('${selector}')).getOption())`) as Promise<any>;
  const ranking = await chartOption('[data-test=ranking-chart]');
  const option = { names: ranking.yAxis[0].data, bars: ranking.series[0].data.map((d: any) => [d.unitId, d.value]) };
  expect(option.bars).toEqual(rated.map((u) => [u.unitId, u.score]));
  expect(option.names).toEqual(rated.map((u) => u.unitName));

  const trendOption = await chartOption('[data-test=trend-chart]');
  const trend = { months: trendOption.xAxis[0].data, series: trendOption.series.map((x: any) => x.name) };
  expect(trend.months).toHaveLength(12);
  expect(trend.months[11]).toBe(month);
  expect(trend.series).toEqual(['按时签收率', '按时办结率', '办结率', '先行联系率', '问题解决率', '满意率']);
  await shot(page, 'supervisor-04-performance');

  // Sorting by volume puts the busiest unit first (a click on the header).
  await page.locator('[data-test=perf-table] th', { hasText: '承办工单量' }).locator('.caret-wrapper .descending').click();
  const firstVolume = await page.locator('[data-test=perf-table] tbody tr').first().locator('[data-test=cell-volume]').innerText();
  expect(Number(firstVolume)).toBe(Math.max(...report.units.map((u) => u.volume)));
});

test('a unit’s breakdown shows what cost it points; clicking a deduction opens its work order', async () => {
  const page = await asSupervisor();
  await page.goto(`${base}/#/supervisor/performance?month=${month}`);
  await page.locator('[data-test=perf-table] [data-unit=kf-025]').click();
  await page.waitForURL(/unit=kf-025/);
  const breakdown = page.locator('[data-test=unit-breakdown]');
  await breakdown.locator('[data-test=deduction-link]').first().waitFor();
  const urgedTwice = breakdown.locator('.breakdown-line', { hasText: '连续 2 次催办无结果' }).filter({ hasText: wo.extended });
  await urgedTwice.waitFor();
  expect(await urgedTwice.innerText()).toContain('−5');
  const kf025 = report.units.find((u) => u.unitId === 'kf-025')!;
  expect(await breakdown.locator('[data-item=onTimeCompletion] [data-test=item-points]').innerText()).toBe(pointsText(kf025.breakdown.onTimeCompletion));
  await shot(page, 'supervisor-05-breakdown');

  await urgedTwice.locator('[data-test=deduction-link]').click();
  await page.waitForURL(new RegExp(`#/tickets/${wo.extended}$`));
  await page.locator('[data-test=details]', { hasText: '小区绿化带被占' }).waitFor();
  // From the work order itself the supervisor's 督办 form asks for the method too.
  await page.locator('[data-test=form-supervise]', { hasText: '督办方式' }).waitFor();
  await shot(page, 'supervisor-06-work-order');
});

test('the Excel export of the month’s table reads back with the same numbers', async () => {
  const page = await asSupervisor();
  await page.goto(`${base}/#/supervisor/performance?month=${month}`);
  await page.locator('[data-test=export-xlsx]').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-xlsx]').click()]);
  expect(download.suggestedFilename()).toBe(`单位考核-${month}.xlsx`);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(await download.path());
  const sheet = workbook.worksheets[0];
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  const header = rows[0] as string[];
  const col = (name: string) => header.indexOf(name);
  for (const u of report.units.filter((x) => x.participating)) {
    const row = rows.find((r) => r[col('单位编号')] === u.unitId)!;
    expect([u.unitId, row[col('排名')], row[col('承办工单量')], row[col('总分')], row[col('按时办结率')] ?? null, row[col('满意率')] ?? null]).toEqual([
      u.unitId, u.rank, u.volume, u.score, u.rates.onTimeCompletion, u.rates.satisfaction,
    ]);
  }
  expect(rows).toHaveLength(1 + report.units.length + report.unitsWithoutWork.length);
});

test('the month lists, and 督办 from a list with the method chosen', async () => {
  const page = await asSupervisor();
  await page.goto(`${base}/#/supervisor/lists?month=${month}&list=unsatisfied`);
  await page.locator('[data-test=month-list]', { hasText: wo.unsatisfied }).waitFor();
  await shot(page, 'supervisor-07-month-list-unsatisfied');
  await page.locator('[data-test=list-tabs] .el-tabs__item', { hasText: '延期后仍超期' }).click();
  await page.waitForURL(/list=overdueAfterExtension/);
  const row = page.locator('[data-test=month-list] tr', { hasText: wo.extended });
  await row.locator('[data-test=row-supervise]').click();
  const dialog = page.locator('.el-dialog', { hasText: `督办工单 ${wo.extended}` });
  await dialog.waitFor();
  await dialog.locator('[data-test=supervise-method]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '电话督办' }).click();
  await dialog.locator('#sv-reason').fill('延期后仍超期，电话督办');
  await shot(page, 'supervisor-08-supervise-dialog');
  await dialog.locator('[data-test=supervise-submit]').click();
  await page.locator('[data-test=notice]', { hasText: `已对工单 ${wo.extended} 发出督办` }).waitFor();
  const records = await request(t.app).get(`/reports/supervisions?workOrderId=${wo.extended}&method=phone`).set(t.auth('supervisor')).expect(200);
  expect(records.body.items[0]).toMatchObject({ method: 'phone', openedBy: 'supervisor-1', reason: '延期后仍超期，电话督办' });
});

test('a unit user cannot reach any supervisor screen (redirected), and the API answers 403', async () => {
  const page = await newPage();
  const fetched: string[] = [];
  page.on('request', (r) => fetched.push(r.url()));
  await signIn(page, 'unit-user-kf-047', t.passwords.units['kf-047'].password);
  await page.locator('[data-test=inbox]').waitFor();
  expect(await page.locator('[data-test=nav-supervisor]').count()).toBe(0);
  for (const screen of ['/supervisor', `/supervisor/performance?month=${month}`, '/supervisor/supervisions', '/supervisor/lists']) {
    await page.goto(`${base}/#${screen}`);
    await page.waitForURL(/#\/inbox$/);
    expect(await page.locator('[data-test=supervisor-dashboard], [data-test=supervisor-performance], [data-test=supervisor-supervisions], [data-test=supervisor-lists]').count()).toBe(0);
  }
  const statuses = await page.evaluate(async (m: string) => {
    const urls = ['/reports/dashboard', `/reports/monthly/breakdown?month=${m}&unit=kf-047`, '/reports/supervisions', `/reports/lists/unsatisfied?month=${m}`, `/reports/monthly/export?month=${m}&format=xlsx`, `/reports/trend?to=${m}`];
    return Promise.all(urls.map(async (u) => [u, (await fetch(u, { credentials: 'same-origin' })).status]));
  }, month);
  for (const [url, status] of statuses) expect([url, status]).toEqual([url, 403]);
  // The supervisor's screens (and ECharts) load only when a supervisor opens one.
  expect(fetched.filter((u) => /echarts|views\/supervisor/.test(u))).toEqual([]);
  await shot(page, 'supervisor-09-unit-redirected');
});
