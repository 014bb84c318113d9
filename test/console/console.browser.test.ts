/**
 * The web console in a real browser (issue 13): headless Chromium from Debian driven by
 * playwright-core against the real service (embedded PostgreSQL, the engine on a sandbox clock,
 * the worker, the API listening on a free port). Screenshots of each screen go to
 * artifacts/screenshots/ (git-ignored) for reviewers.
 *
 * Needs /usr/bin/chromium (`.ci/run` installs Debian's `chromium` when missing) or CHROMIUM_PATH.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

jest.setTimeout(300_000);
// The functions given to page.evaluate run in the browser.
declare const document: any;

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = path.resolve(__dirname, '../../artifacts/screenshots');
let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Errors the pages threw (a console that breaks in the browser must fail the test). */
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH`);
  mkdirSync(shots, { recursive: true });
  t = await startTestApp({ passwords: true });
  server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 180_000);

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
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

/**
 * Opens a console address as a person pasting it would: a fresh load of the page. (A
 * same-document hash change right after a view loaded raced that view's own navigation on a
 * loaded machine, and the page stayed where it was.)
 */
async function openByUrl(page: Page, route: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${base}/#${route}`);
}

/** Signs in with the keyboard only. */
async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.locator('#login').waitFor();
  await page.locator('#login').focus();
  await page.keyboard.type(login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
const activeGroup = (page: Page) => page.evaluate(() => document.activeElement?.closest('[aria-label]')?.getAttribute('aria-label') ?? '');
const stageOf = (page: Page) => page.locator('[data-test=stage]').innerText();

async function waitForStage(page: Page, stage: string): Promise<void> {
  await page.locator('[data-test=stage]', { hasText: stage }).waitFor();
}

let workOrderId = '';

test('an operator signs in and creates a work order by keyboard; the caller’s history shows as the phone is typed', async () => {
  // An earlier call of the same caller, made through the API.
  const earlier = await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .send({ callerName: '张三', callerPhone: '13800001111', summary: '上月的路灯问题', category: 'help', mainUnitId: 'kf-046' })
    .expect(201);

  const page = await newPage();
  await page.goto(`${base}/`);
  await page.locator('#login').waitFor();
  await shot(page, '01-sign-in');
  await signIn(page, 'center-1', t.passwords.center.password);
  await page.locator('[data-test=work-list]').waitFor();
  await page.locator('[data-test=who]', { hasText: '热线受理员' }).waitFor();
  await page.getByRole('link', { name: '受理登记' }).click();

  // Focus starts on the caller's name; Tab walks the form top to bottom.
  await page.waitForFunction(() => document.activeElement?.id === 'f-callerName');
  await page.keyboard.type('张三');
  await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('f-callerPhone');
  await page.keyboard.type('13800001111');
  await page.locator('[data-test=caller-history]', { hasText: earlier.body.workOrderId }).waitFor();
  await page.keyboard.press('Tab');
  expect(await activeGroup(page)).toBe('受理渠道');
  await page.keyboard.press('Tab');
  expect(await activeGroup(page)).toBe('诉求类别'); // 投诉 is preselected
  await page.keyboard.press('Tab');
  expect(await activeGroup(page)).toBe('紧急程度');
  await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('f-address');
  await page.keyboard.type('开封市鼓楼区幸福小区门口');
  await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('f-summary');
  await page.keyboard.type('小区门口路灯一周不亮');
  await page.keyboard.press('Tab');
  expect(await activeGroup(page)).toBe('分类处置'); // 转办 is preselected
  await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('f-mainUnit');
  await page.keyboard.type('scszm'); // 市城市照明管理处 by its pinyin initials
  await page.locator('.el-select-dropdown__item', { hasText: '市城市照明管理处' }).first().waitFor();
  await page.keyboard.press('Enter');
  await shot(page, '02-intake-filled');
  await page.keyboard.press('Control+Enter');

  await page.waitForURL(/#\/tickets\/\d+/);
  workOrderId = /#\/tickets\/(\d+)/.exec(page.url())![1];
  await waitForStage(page, '待签收');
  await page.locator('[data-test=details]', { hasText: '小区门口路灯一周不亮' }).waitFor();
  expect(await page.locator('[data-test=caller-phone]').innerText()).toBe('13800001111');
  await page.locator('[data-test=timeline]', { hasText: '受理登记' }).waitFor();
  await page.locator('[data-test=clocks]', { hasText: '签收' }).waitFor();
  await shot(page, '03-work-order-center');

  await page.getByRole('link', { name: '工单列表' }).click();
  await page.locator('[data-test=work-list]', { hasText: workOrderId }).waitFor();
  await page.locator('[data-test=work-list] [data-test=countdown]', { hasText: '剩余' }).first().waitFor();
  await shot(page, '04-work-list');
});

test('the intake form explains bad input in Chinese beside the field', async () => {
  const page = await newPage();
  await signIn(page, 'center-1', t.passwords.center.password);
  await page.locator('[data-test=work-list]').waitFor();
  await page.getByRole('link', { name: '受理登记' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'f-callerName');
  await page.keyboard.press('Control+Enter');
  await page.locator('.el-form-item__error', { hasText: '请输入正确的电话号码' }).waitFor();
  await page.locator('.el-form-item__error', { hasText: '转办工单需要选择主办单位' }).waitFor();
  await shot(page, '05-intake-errors');
});

test('the unit clerk signs, contacts and replies; a refused action shows its Chinese message; another unit cannot open it', async () => {
  expect(workOrderId).not.toBe('');
  const page = await newPage();
  await signIn(page, 'unit-user-kf-047', t.passwords.units['kf-047'].password);
  await page.locator('[data-test=inbox]', { hasText: workOrderId }).waitFor();
  // New work orders stand out in words too, not only by colour.
  await page.locator('[data-test=inbox] tr', { hasText: workOrderId }).locator('.el-tag', { hasText: '新' }).waitFor();
  await shot(page, '06-unit-inbox');

  await page.locator('[data-test=inbox]').getByRole('link', { name: workOrderId }).click();
  await waitForStage(page, '待签收');
  // The assigned unit sees the caller's phone: it must phone the caller (003 第八条(二), 004 第十一条(一)).
  expect(await page.locator('[data-test=caller-phone]').innerText()).toContain('13800001111');
  await shot(page, '07-unit-work-order');
  await page.locator('[data-test=submit-sign]').click();
  await waitForStage(page, '办理中');

  await page.locator('#a-contact-person').fill('王五');
  await page.locator('[data-test=submit-contact]').click();
  await page.locator('[data-test=timeline]', { hasText: '先行联系' }).waitFor();

  // The form says the longest extension; sixty working days is far beyond it: refused, in Chinese.
  await page.locator('[data-test=extension-hint]', { hasText: /最长可延期 \d+ 个工作日/ }).waitFor();
  await page.locator('#a-extension-workingDays').fill('60');
  await page.locator('#a-extension-reason').fill('需要协调多个部门');
  await page.locator('[data-test=submit-extension]').click();
  await page.locator('[data-test=form-extension] [data-test=action-error]', { hasText: '申请的延期时长超过允许的最长期限' }).waitFor();
  await shot(page, '08-refused-action');

  await page.locator('#a-reply-firstContactPerson').fill('王五');
  await page.locator('#a-reply-facts').fill('控制箱故障');
  await page.locator('#a-reply-answer').fill('已更换控制箱，路灯恢复');
  await page.locator('[data-test=submit-reply]').click();
  await waitForStage(page, '回复待审');
  await page.locator('[data-test=timeline]', { hasText: '办结回复' }).waitFor();
  await shot(page, '09-unit-replied');

  const other = await newPage();
  await signIn(other, 'unit-user-kf-046', t.passwords.units['kf-046'].password);
  await other.locator('[data-test=inbox]').waitFor();
  await openByUrl(other, `/tickets/${workOrderId}`);
  // (The refusal comes after the API has asked the workflow: slow on a loaded machine.)
  await other.locator('[data-test=page-error]', { hasText: '没有找到该工单，或您无权查看' }).waitFor({ timeout: 90_000 });
  expect(await other.locator('[data-test=details]').count()).toBe(0);
  expect(await other.content()).not.toContain('小区门口路灯一周不亮');
  // Nor can a unit open the center's screens.
  await openByUrl(other, `/intake`);
  await other.locator('[data-test=inbox]').waitFor();
  await shot(other, '10-other-unit-refused');
});

test('the operator reviews the reply and calls back; the work order closes', async () => {
  const page = await newPage();
  await signIn(page, 'center-1', t.passwords.center.password);
  await page.locator('[data-test=work-list]').waitFor();
  await openByUrl(page, `/tickets/${workOrderId}`);
  await waitForStage(page, '回复待审');
  await page.locator('#a-reply-review-reason').fill('答复规范');
  await page.locator('[data-test=submit-reply-review]').click();
  await waitForStage(page, '待回访');
  await shot(page, '11-callback-form');
  await page.locator('[data-test=submit-callback]').click();
  await waitForStage(page, '已办结');
  await page.locator('[data-test=timeline]', { hasText: '回访' }).waitFor();
  expect(await stageOf(page)).toBe('已办结');
  await page.locator('.empty-explained', { hasText: '当前阶段您没有可办理的操作' }).waitFor();
  await shot(page, '12-closed');
});

test('the work list filters by several stages at once (from the URL and by picking them)', async () => {
  // One work order 办理中 (signed), one 待签收 at least.
  for (const sign of [true, false]) {
    const created = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .send({ callerName: '王五', callerPhone: '13900003333', summary: '路面塌陷', category: 'help', mainUnitId: 'kf-047' })
      .expect(201);
    if (sign) await request(t.app).post(`/tickets/${created.body.workOrderId}/sign`).set(t.auth({ unit: 'kf-047' })).send({}).expect(200);
  }
  const totalOf = async (stage: string) =>
    ((await request(t.app).get(`/tickets?stage=${stage}&pageSize=1`).set(t.auth('center')).expect(200)).body as { total: number }).total;
  const handling = await totalOf('handling');
  const both = await totalOf('dispatched,handling');
  expect(handling).toBeGreaterThan(0);
  expect(both).toBeGreaterThan(handling);

  const page = await newPage();
  await signIn(page, 'center-1', t.passwords.center.password);
  await page.locator('[data-test=work-list]').waitFor();
  await openByUrl(page, `/list?stage=dispatched,handling`);
  await page.locator('[data-test=list-total]', { hasText: `共 ${both} 件` }).waitFor();
  const stagesShown = await page.locator('[data-test=work-list] .el-table__row .el-tag').allInnerTexts();
  expect(stagesShown).toContain('办理中');
  expect(stagesShown.filter((s) => !['待签收', '办理中', '紧急'].includes(s))).toEqual([]);

  // Picking a second stage in the select keeps the first and adds it to the query.
  await openByUrl(page, `/list?stage=handling`);
  await page.locator('[data-test=list-total]', { hasText: `共 ${handling} 件` }).waitFor();
  await page.locator('[data-test=q-stage]').click();
  await page.locator('.el-select-dropdown__item', { hasText: '待签收' }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: '查询' }).click();
  await page.waitForFunction('/stage=(handling,dispatched|dispatched,handling)(&|$)/.test(decodeURIComponent(location.hash))');
  await page.locator('[data-test=list-total]', { hasText: `共 ${both} 件` }).waitFor();
  await shot(page, '12b-work-list-two-stages');
});

test('a sandbox clock advance turns a countdown into 已超期 and raises the unread badge', async () => {
  const created = await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .send({ callerName: '李四', callerPhone: '13900002222', summary: '井盖缺失', category: 'help', mainUnitId: 'kf-047' })
    .expect(201);
  const id = created.body.workOrderId as string;
  const page = await newPage({ width: 390, height: 844 }); // a clerk's phone
  await signIn(page, 'unit-user-kf-047', t.passwords.units['kf-047'].password);
  const card = page.locator('[data-test=inbox-cards] .el-card', { hasText: id });
  await card.locator('[data-test=countdown]', { hasText: '剩余' }).waitFor();
  const unreadBefore = Number(await page.locator('[data-test=unread-count]').innerText());
  await shot(page, '13-phone-inbox-before');

  await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ by: '26h' }).expect(200);
  await card.locator('[data-test=countdown]', { hasText: '已超期' }).waitFor();
  await page.waitForFunction(
    (before) => Number(document.querySelector('[data-test=unread-count]')?.textContent) > before,
    unreadBefore,
  );
  await shot(page, '14-phone-inbox-overdue');
  // The work-order page on the phone: the missed sign clock is said in words, and the urge listed.
  await card.getByRole('link', { name: id }).click();
  await waitForStage(page, '待签收');
  await page.locator('[data-test=clocks] [data-test=countdown]', { hasText: '已超期' }).first().waitFor();
  await page.locator('[data-test=escalations]', { hasText: '催办' }).waitFor();
  await shot(page, '15-phone-work-order');
  // Signing out ends the session: the console is back at the sign-in page, and stays there.
  await page.locator('[data-test=sign-out]').click();
  await page.locator('#login').waitFor();
  await openByUrl(page, `/inbox`);
  await page.locator('#login').waitFor();
});

test('a wrong password is refused, and repeated failures lock the name', async () => {
  const page = await newPage();
  await signIn(page, 'supervisor-1', 'not-the-password');
  await page.locator('[data-test=sign-in-error]', { hasText: '用户名或密码错误' }).waitFor();
  await shot(page, '16-wrong-password');
  for (let i = 0; i < 4; i++) {
    await page.locator('#password').fill(`wrong-${i}`);
    await page.locator('[data-test=sign-in-submit]').click();
    await page.waitForTimeout(300);
  }
  await page.locator('[data-test=sign-in-error]', { hasText: '登录失败次数过多' }).waitFor();
  // Locked: the right password is refused too.
  await page.locator('#password').fill(t.passwords.supervisor.password);
  await page.locator('[data-test=sign-in-submit]').click();
  await page.locator('[data-test=sign-in-error]', { hasText: '登录失败次数过多' }).waitFor();
  expect(page.url()).toContain('#/sign-in');
  await shot(page, '17-locked');
});
