/**
 * The unit's inbox with 10 000 open work orders in the database (issue 13: first inbox screen
 * usable in < 2 s). Prints, beside the machine's own floor measured in the same run (a bare
 * `SELECT 1` and GET /health through HTTP): the API calls the inbox's first screen makes, and,
 * when Chromium is installed, the time from opening the console to the inbox rows on screen.
 *
 * Run: npm run bench:console   (CHROMIUM_PATH to point at another Chromium)
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import { ensureSettings } from '../api/hotline/repository';
import { createLogger } from '../api/logger';
import { demoPasswords, demoTokens, seedDemo, seedDemoPasswords } from '../db/seed/demo';
import { startTestPostgres } from '../test/support/postgres';

const N = 10_000;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(1)} ms, p95 ${s[Math.floor(s.length * 0.95)].toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (${s.length} runs)`;
};

async function time(runs: number, f: () => Promise<unknown>): Promise<number[]> {
  await f(); // warm up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${(os.freemem() / 2 ** 30).toFixed(1)} of ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB free`);
  const db = await startTestPostgres();
  try {
    const secret = 'bench-secret';
    await ensureSettings(db.pool, 'kaifeng-001');
    await seedDemo(db.pool, secret);
    await seedDemoPasswords(db.pool, secret);
    const units = (await db.pool.query<{ id: string }>('SELECT id FROM units ORDER BY id')).rows.map((r) => r.id);
    const t0 = performance.now();
    // 10 000 open work orders; a quarter of them the main unit kf-047's, the rest spread.
    await db.pool.query(
      `INSERT INTO work_orders (id, stage, classification, category, urgency, channel, main_unit_id, unit_ids, confidential, caller_name,
                                caller_phone, summary, profile_id, created_at, updated_at, next_deadline, sign_deadline, last_seq, state)
       SELECT 'B' || lpad(i::text, 8, '0'), CASE WHEN i % 3 = 0 THEN 'dispatched' ELSE 'handling' END, 'dispatch', 'complaint', 'normal', 'phone',
              u, ARRAY[u], false, '张三', '138' || lpad(i::text, 8, '0'), '路灯不亮 ' || i, 'kaifeng-001',
              now() - (i || ' minutes')::interval, now(), now() + ((i * 7919) % 20000 || ' minutes')::interval, now(), 1, '{}'
         FROM generate_series(1, $1) AS i,
              LATERAL (SELECT CASE WHEN i % 4 = 0 THEN 'kf-047' ELSE ($2::text[])[1 + i % array_length($2::text[], 1)] END AS u) pick`,
      [N, units],
    );
    await db.pool.query('ANALYZE work_orders');
    console.log(`inserted ${N} open work orders in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const app = createApp({ temporal: new Client(), pool: db.pool, clock: null, config: { sandbox: false }, logger: createLogger('silent') });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tokens = demoTokens(secret);
    const unit = { Authorization: `Bearer ${tokens.units['kf-047']}` };
    const center = { Authorization: `Bearer ${tokens.center}` };
    const get = (path: string, headers: Record<string, string>) => fetch(base + path, { headers }).then((r) => r.text());
    const open = 'stage=preBriefing,awaitingInstruction,awaitingDispatch,dispatched,handling,returnRequested,replied,callback,expertEvaluation';

    console.log('\nfloor (this machine, same run):');
    console.log(`  SELECT 1                                 ${stats(await time(50, () => db.pool.query('SELECT 1')))}`);
    console.log(`  GET /health (HTTP + SELECT 1)            ${stats(await time(50, () => get('/health', {})))}`);
    console.log('\nthe inbox\'s first screen (unit kf-047, 2 500 of the 10 000 are its own):');
    console.log(`  GET /tickets?${open.slice(0, 20)}…&sort=deadline&pageSize=20  ${stats(await time(30, () => get(`/tickets?${open}&sort=deadline&pageSize=20`, unit)))}`);
    console.log(`  GET /notifications?unread=true&pageSize=1 ${stats(await time(30, () => get('/notifications?unread=true&pageSize=1', unit)))}`);
    console.log(`  GET /auth/me                             ${stats(await time(30, () => get('/auth/me', unit)))}`);
    console.log('the center\'s work list (all 10 000):');
    console.log(`  GET /tickets?sort=deadline&pageSize=20   ${stats(await time(30, () => get('/tickets?sort=deadline&pageSize=20', center)))}`);
    console.log(`  GET /tickets?sort=deadline&page=400      ${stats(await time(30, () => get('/tickets?sort=deadline&pageSize=20&page=400', center)))}`);
    console.log(`  GET /caller-history?phone=…              ${stats(await time(30, () => get('/caller-history?phone=13800000042', center)))}`);

    if (existsSync(chromiumPath)) {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
      const password = demoPasswords(secret).units['kf-047'].password;
      // The browser's own floor under this load: a page with nothing in it.
      const blank: number[] = [];
      for (let i = 0; i < 3; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const t1 = performance.now();
        await page.goto(`${base}/health`);
        blank.push(performance.now() - t1);
        await context.close();
      }
      console.log(`\nheadless Chromium, open a bare JSON page (floor):           ${blank.map((r) => `${r.toFixed(0)} ms`).join(', ')}`);
      const runs: number[] = [];
      const warm: number[] = [];
      const cpu: string[] = [];
      for (let i = 0; i < 3; i++) {
        const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
        const page = await context.newPage();
        // Signed in already (as a clerk arriving in the morning): from opening the console to
        // the inbox's rows on screen, with an empty cache the first time.
        const signIn = await context.request.post(`${base}/auth/sign-in`, { data: { login: 'unit-user-kf-047', password } });
        if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        const t1 = performance.now();
        await page.goto(`${base}/#/inbox`);
        await page.locator('[data-test=inbox] .el-table__row').first().waitFor({ timeout: 30_000 });
        runs.push(performance.now() - t1);
        const { metrics } = await cdp.send('Performance.getMetrics');
        const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
        cpu.push(`script ${metric('ScriptDuration').toFixed(0)} ms, all tasks ${metric('TaskDuration').toFixed(0)} ms`);
        // The next morning: same browser, libraries in its cache.
        const again = await context.newPage();
        const t2 = performance.now();
        await again.goto(`${base}/#/inbox`);
        await again.locator('[data-test=inbox] .el-table__row').first().waitFor({ timeout: 30_000 });
        warm.push(performance.now() - t2);
        await context.close();
      }
      await browser.close();
      console.log(`headless Chromium, console → inbox rows on screen, empty cache: ${runs.map((r) => `${r.toFixed(0)} ms`).join(', ')} (goal < 2000 ms)`);
      console.log(`headless Chromium, console → inbox rows on screen, warm cache:  ${warm.map((r) => `${r.toFixed(0)} ms`).join(', ')}`);
      console.log(`  CPU the browser's main thread spent (empty cache): ${cpu.join('; ')}`);
      console.log(`  load average now: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
    } else {
      console.log(`\n(no Chromium at ${chromiumPath}: browser timing skipped)`);
    }
    await new Promise((r) => server.close(r));
  } finally {
    await db.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
