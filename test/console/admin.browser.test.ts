/**
 * The administrator's console screens in a real browser (issue 14): headless Chromium from Debian
 * driven by playwright-core against the real service in sandbox mode (embedded PostgreSQL, the
 * engine on a manual clock, the worker, the API on a free port), started once for the whole file.
 * Screenshots of each screen go to artifacts/screenshots/admin-*.png (git-ignored).
 *
 * Needs /usr/bin/chromium (`.ci/run` installs Debian's `chromium` when missing) or CHROMIUM_PATH.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

jest.setTimeout(300_000);
// The functions given to page.evaluate run in the browser.
declare const document: any;
declare function fetch(url: string, init?: unknown): Promise<{ status: number }>;

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = path.resolve(__dirname, '../../artifacts/screenshots');
const notice2027 = readFileSync(path.resolve(__dirname, '../domain/fixtures/notice-2027.txt'), 'utf8');
let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;
const contexts: BrowserContext[] = [];
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
  // Each test answers for its own pages' errors.
  expect(pageErrors.splice(0)).toEqual([]);
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Errors Vue caught in a handler are only logged; a refused request's log line is expected.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `admin-${name}.png`), fullPage: true });

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('[data-test=sign-in-submit]').click();
}

async function signInAdmin(): Promise<Page> {
  const page = await newPage();
  await signIn(page, 'admin-1', t.passwords.admin.password);
  await page.locator('[data-test=work-list]').waitFor();
  return page;
}

const adminScreens = ['/admin/units', '/admin/users', '/admin/calendar', '/admin/profile', '/admin/phone-reveals'];

test('a unit user cannot reach any admin screen: redirected, and the API answers 403; the sandbox banner shows, without the clock control', async () => {
  const page = await newPage();
  await signIn(page, 'unit-user-kf-047', t.passwords.units['kf-047'].password);
  await page.locator('[data-test=inbox]').waitFor();
  await page.locator('[data-test=sandbox-banner]', { hasText: '沙盒模式' }).waitFor();
  await page.locator('[data-test=sandbox-now]', { hasText: '沙盒时间：2026' }).waitFor();
  expect(await page.locator('[data-test=sandbox-advance]').count()).toBe(0);
  expect(await page.getByRole('link', { name: '单位管理' }).count()).toBe(0);
  for (const screen of adminScreens) {
    await page.goto(`${base}/#${screen}`);
    await page.waitForURL(/#\/inbox$/);
    await page.locator('[data-test=inbox]').waitFor();
    expect(await page.locator('[data-test^=admin-]').count()).toBe(0);
  }
  await shot(page, '00-unit-redirected');
  // The same session asking the API directly: 403 on every admin read and write.
  const statuses = await page.evaluate(async () => {
    const calls: [string, string][] = [
      ['GET', '/admin/users'], ['GET', '/admin/calendar'], ['GET', '/admin/calendar/years/2027'], ['GET', '/admin/phone-reveals'],
      ['GET', '/admin/audit'], ['POST', '/admin/clock/advance'], ['PATCH', '/admin/units/kf-047'],
    ];
    const out: Record<string, number> = {};
    for (const [method, url] of calls) out[`${method} ${url}`] = (await fetch(url, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : '{}' })).status;
    return out;
  });
  // (Writes without the session's CSRF token are refused before the role check: 403 either way.)
  for (const [call, status] of Object.entries(statuses)) expect([call, status]).toEqual([call, 403]);
});

test('a supervisor and an operator are sent away from the admin screens too', async () => {
  for (const [login, password] of [
    ['supervisor-1', t.passwords.supervisor.password],
    ['center-1', t.passwords.center.password],
  ]) {
    const page = await newPage();
    await signIn(page, login, password);
    await page.locator('[data-test=who]').waitFor();
    for (const screen of adminScreens) {
      await page.goto(`${base}/#${screen}`);
      await page.waitForURL((url) => !url.hash.startsWith('#/admin'));
      expect(await page.locator('[data-test^=admin-]').count()).toBe(0);
    }
  }
});

test('an admin imports a year’s notice and sees it in the year view', async () => {
  const page = await signInAdmin();
  await page.getByRole('link', { name: '工作日历' }).click();
  await page.locator('[data-test=coverage-message]').waitFor();
  await page.locator('[data-test=year-title]', { hasText: '2026' }).waitFor();
  await page.locator('[data-test=next-year]').click();
  await page.locator('[data-test=year-title]', { hasText: '2027' }).waitFor();
  // Before the import 2027 is provisional: the statutory 春节 days carry 休 and 暂, and no 调休 is guessed.
  await page.locator('[data-test=year-source]', { hasText: '暂定' }).waitFor();
  expect(await page.locator('td[data-date="2027-02-06"] [data-test=day-mark]').innerText()).toBe('休暂');
  expect(await page.locator('td[data-date="2027-01-31"] [data-test=day-mark]').innerText()).toBe('');
  await shot(page, '01-calendar-provisional');

  await page.locator('#imp-year').fill('2027');
  await page.locator('#imp-text').fill(notice2027);
  await page.locator('[data-test=import-preview]').click();
  const preview = page.locator('[data-test=import-preview-result]');
  await preview.locator('td', { hasText: '春节' }).first().waitFor();
  await preview.locator('td', { hasText: '2027-01-31、2027-02-20' }).first().waitFor();
  await shot(page, '02-calendar-preview');
  await page.locator('[data-test=import-confirm]').click();
  await page.locator('[data-test=year-source]', { hasText: '国务院通知' }).waitFor();
  await page.locator('[data-test=year-view]', { hasText: 'admin-1' }).waitFor();
  // Every day off and make-up workday of the notice is in the year view, in words.
  expect(await page.locator('td[data-date="2027-01-31"] [data-test=day-mark]').innerText()).toBe('班');
  expect(await page.locator('td[data-date="2027-02-12"] [data-test=day-mark]').innerText()).toBe('休');
  expect(await page.locator('td[data-date="2027-10-07"] [data-test=day-mark]').innerText()).toBe('休');
  expect(await page.locator('td[data-date="2027-10-09"]').getAttribute('aria-label')).toContain('调休上班');
  const view = await request(t.app).get('/admin/calendar/years/2027').set(t.auth('admin')).expect(200);
  const marked = await page.locator('[data-test=year-view] td[data-date]').evaluateAll((cells: any[]) =>
    cells.filter((c) => c.querySelector('[data-test=day-mark]').textContent !== '').map((c) => c.getAttribute('data-date')),
  );
  expect(marked).toEqual(view.body.days.map((d: { date: string }) => d.date));
  expect(view.body.days.filter((d: { kind: string }) => d.kind === 'holiday')).toHaveLength(28);

  // A hotline exception is marked 例 on top of the national schedule.
  await request(t.app).put('/admin/calendar/exceptions/2027-03-01').set(t.auth('admin')).send({ kind: 'holiday', note: '县政府决定' }).expect(200);
  await page.reload();
  await page.locator('[data-test=next-year]').click();
  await page.locator('td[data-date="2027-03-01"] [data-test=day-mark]', { hasText: '休例' }).waitFor();
  expect(await page.locator('td[data-date="2027-03-01"]').getAttribute('aria-label')).toContain('县政府决定');
  await shot(page, '03-calendar-imported');
});

test('an admin creates a user and that user can sign in; a token is shown once; a deactivated user cannot sign in', async () => {
  const page = await signInAdmin();
  await page.getByRole('link', { name: '用户管理' }).click();
  await page.locator('[data-test=user-list]', { hasText: 'unit-user-kf-047' }).waitFor();
  await page.locator('[data-test=user-create]').click();
  await page.locator('#us-id').fill('center-7');
  await page.locator('#us-name').fill('受理员七');
  await page.locator('#us-password').fill('short');
  await page.locator('[data-test=user-save]').click();
  await page.locator('[data-test=user-dialog] .el-form-item__error', { hasText: '密码至少 8 位' }).waitFor();
  await page.locator('#us-password').fill('seven-password-7');
  await shot(page, '04-user-create');
  await page.locator('[data-test=user-save]').click();

  // The first token, once: it works, and after the dialog closes it is nowhere on the page.
  const tokenBox = page.locator('[data-test=token-once]', { hasText: 'hl_' });
  await tokenBox.waitFor();
  const token = (await tokenBox.innerText()).trim();
  expect(token).toMatch(/^hl_[A-Za-z0-9_-]{40,}$/);
  await shot(page, '05-token-once');
  const me = await request(t.app).get('/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
  expect(me.body.user).toMatchObject({ id: 'center-7', role: 'center' });
  await page.locator('[data-test=token-close]').click();
  await page.locator('[data-test=token-once]').waitFor({ state: 'hidden' });
  expect(await page.content()).not.toContain(token);
  await page.locator('[data-test=user-list]', { hasText: 'center-7' }).waitFor();

  // The token list names the token, never shows it; a new one is again shown once.
  await page.locator('[data-test="tokens-center-7"]').click();
  await page.locator('[data-test=token-list]', { hasText: 'initial' }).waitFor();
  await page.locator('#tk-label').fill('对接系统');
  await page.locator('[data-test=token-issue]').click();
  const second = (await page.locator('[data-test=token-once]', { hasText: 'hl_' }).innerText()).trim();
  expect(second).not.toBe(token);
  await page.locator('[data-test=token-close]').click();
  await page.locator('[data-test=token-list]', { hasText: '对接系统' }).waitFor();
  expect(await page.content()).not.toContain(second);
  await shot(page, '06-tokens');
  const listed = await request(t.app).get('/admin/users/center-7/tokens').set(t.auth('admin')).expect(200);
  expect(listed.body.items.map((i: { label: string }) => i.label).sort()).toEqual(['initial', '对接系统']);

  // The new user signs in with the password the admin gave.
  const newcomer = await newPage();
  await signIn(newcomer, 'center-7', 'seven-password-7');
  await newcomer.locator('[data-test=work-list]').waitFor();
  await newcomer.locator('[data-test=who]', { hasText: '受理员七（热线受理员）' }).waitFor();

  // Deactivated: the open session ends and signing in again is refused.
  await page.keyboard.press('Escape');
  await page.locator('[data-test="deactivate-center-7"]').click();
  await page.locator('.el-message-box').getByRole('button', { name: '停用' }).click();
  await page.locator('[data-test=user-list] tr', { hasText: 'center-7' }).locator('text=已停用').waitFor();
  await shot(page, '07-users');
  await newcomer.reload();
  await newcomer.locator('#login').waitFor();
  await signIn(newcomer, 'center-7', 'seven-password-7');
  await newcomer.locator('[data-test=sign-in-error]', { hasText: '用户名或密码错误' }).waitFor();
  await request(t.app).get('/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
});

test('units: an admin creates one, sets its webhook key (shown only as 已设置), and deactivates it; it can no longer be dispatched to', async () => {
  const page = await signInAdmin();
  await page.getByRole('link', { name: '单位管理' }).click();
  await page.locator('[data-test=unit-tree]', { hasText: '市城市照明管理处' }).waitFor();
  await shot(page, '08-units');
  await page.locator('[data-test=unit-create]').click();
  await page.locator('#u-id').fill('kf-900');
  await page.locator('#u-name').fill('市测试管理处');
  await page.locator('#u-webhook').fill('https://example.org/hook');
  await page.locator('#u-secret').fill('too-short');
  await page.locator('[data-test=unit-save]').click();
  await page.locator('[data-test=unit-dialog] .el-form-item__error', { hasText: '至少 16 个字符' }).waitFor();
  await page.locator('#u-secret').fill('a-webhook-key-of-32-characters!!');
  await page.locator('[data-test=unit-save]').click();
  const row = page.locator('[data-test=unit-tree] tr', { hasText: '市测试管理处' });
  await row.locator('[data-test=secret-state]', { hasText: '已设置' }).waitFor();
  expect(await page.content()).not.toContain('a-webhook-key-of-32-characters!!');

  await page.locator('[data-test="deactivate-kf-900"]').click();
  await page.locator('.el-message-box').getByRole('button', { name: '停用' }).click();
  await page.locator('[data-test=unit-tree]', { hasText: '市测试管理处' }).waitFor({ state: 'hidden' });
  const dispatched = await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .send({ callerName: '王二', callerPhone: '13700003333', summary: '测试', category: 'help', mainUnitId: 'kf-900' })
    .expect(400);
  expect(dispatched.body.issues[0].path).toBe('body.mainUnitId');
  const found = await request(t.app).get('/unit-search?q=市测试').set(t.auth('center')).expect(200);
  expect(found.body.items).toEqual([]);
});

test('the SLA profile: shipped profiles side by side; an override is validated beside its field and applies to new work orders only', async () => {
  await request(t.app)
    .post('/tickets')
    .set(t.auth('center'))
    .send({ callerName: '赵六', callerPhone: '13600004444', summary: '路面塌陷', category: 'help', mainUnitId: 'kf-046' })
    .expect(201);
  const page = await signInAdmin();
  await page.getByRole('link', { name: '时限规则' }).click();
  await page.locator('[data-test=shipped-profiles]', { hasText: '南码头' }).waitFor();
  await page.locator('[data-test=applies-to]', { hasText: '新受理的工单' }).waitFor();
  const open = await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM work_orders WHERE closed_at IS NULL');
  await page.locator('[data-test=applies-to]', { hasText: `现有 ${open.rows[0].n} 件在办工单` }).waitFor();
  await shot(page, '09-profile');

  await page.locator('[data-test="override-sign.normal"]').click();
  await page.locator('#ov-amount').fill('-1');
  await page.locator('[data-test=override-save]').click();
  await page.locator('[data-test=override-dialog] .el-form-item__error', { hasText: '不能小于 0' }).waitFor();
  await shot(page, '10-profile-invalid');
  await page.locator('#ov-amount').fill('2');
  await page.locator('[data-test=override-save]').click();
  await page.locator('[data-test=profile-saved]', { hasText: '之后受理的工单适用新规则' }).waitFor();
  await page.locator('[data-test="value-sign.normal"]', { hasText: '2 个工作日' }).waitFor();
  // A field that takes one of a few words: a late return is accepted and scored (000 附件2 四.2).
  await page.locator('[data-test="override-return.late"]').click();
  await page.locator('[data-test=override-dialog]').getByText('允许但扣分').click();
  await page.locator('[data-test=override-save]').click();
  await page.locator('[data-test="value-return.late"]', { hasText: '允许但扣分' }).waitFor();
  const profile = await request(t.app).get('/admin/profile').set(t.auth('admin')).expect(200);
  expect(profile.body.overrides).toEqual({ sign: { normal: { amount: 2, unit: 'workingDays' } }, return: { late: 'allowedWithPenalty' } });
});

test('the phone-reveal record lists who was shown a caller’s phone, filtered by user', async () => {
  const page = await signInAdmin();
  await page.getByRole('link', { name: '号码查看记录' }).click();
  await page.locator('[data-test=pr-total]').waitFor();
  await page.locator('#pr-user').fill('center-1');
  await page.locator('[data-test=pr-search]').click();
  await page.waitForURL(/userId=center-1/);
  const expected = await request(t.app).get('/admin/phone-reveals?userId=center-1').set(t.auth('admin')).expect(200);
  expect(expected.body.total).toBeGreaterThan(0);
  await page.locator('[data-test=pr-total]', { hasText: `共 ${expected.body.total} 条` }).waitFor();
  expect(await page.locator('[data-test=pr-list] tbody tr').count()).toBe(Math.min(expected.body.total, 50));
  await shot(page, '11-phone-reveals');
});

test('the sandbox banner advances the clock', async () => {
  const page = await signInAdmin();
  const before = (await request(t.app).get('/health').expect(200)).body.now as string;
  await page.locator('[data-test=sandbox-now]', { hasText: '沙盒时间' }).waitFor();
  await shot(page, '12-sandbox-banner');
  await page.locator('[data-test=sandbox-advance-submit]').click(); // 1 天, the default
  await page.locator('[data-test=sandbox-message]', { hasText: '时钟已拨到' }).waitFor({ timeout: 90_000 });
  const after = (await request(t.app).get('/health').expect(200)).body.now as string;
  expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(86_400_000);
  // The banner's time follows (Shanghai local date of the new instant).
  const local = new Date(Date.parse(after) + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '/');
  await page.locator('[data-test=sandbox-now]', { hasText: local }).waitFor();
  await shot(page, '13-sandbox-advanced');

  // 拨到 an instant: the picker offers one day after the sandbox time; the clock lands on it (to the minute).
  await page.locator('[data-test=sandbox-mode-to]').click();
  const target = await page.locator('#sandbox-to').inputValue();
  expect(target).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  await page.locator('[data-test=sandbox-advance-submit]').click();
  await page.locator('[data-test=sandbox-message]', { hasText: target.replaceAll('-', '/') }).waitFor({ timeout: 90_000 });
  const landed = (await request(t.app).get('/health').expect(200)).body.now as string;
  // (The sandbox clock keeps running in real time after a jump.)
  const aimed = Date.parse(`${target.replace(' ', 'T')}:00+08:00`);
  expect(Date.parse(landed) - aimed).toBeGreaterThanOrEqual(0);
  expect(Date.parse(landed) - aimed).toBeLessThan(60_000);
  await shot(page, '14-sandbox-advanced-to');
});
