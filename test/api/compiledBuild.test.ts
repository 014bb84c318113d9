/**
 * The compiled build (issue 15): `npm run build` emits JavaScript and the pre-bundled workflow
 * code; `node dist/scripts/start.js` (what the Docker image runs: no ts-node, no webpack at
 * start) serves the README's walk-through — a work order from creation to close.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, runScript, startScript, type StartedScript } from '../support/startScript';

let dataDir: string;
let service: StartedScript | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-compiled-'));
}, 60_000);
afterAll(async () => {
  if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

test('npm run build, then the compiled service runs the walk-through', async () => {
  const build = await runScript([path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {});
  expect(`${build.code}\n${build.stdout}${build.stderr}`).toMatch(/^0\n/);
  const assets = await runScript(['scripts/build-assets.js'], {});
  expect(`${assets.code}\n${assets.stderr}`).toMatch(/^0\n/);
  expect(existsSync(path.join(repoRoot, 'dist/workflow-bundle.js'))).toBe(true);
  expect(existsSync(path.join(repoRoot, 'dist/db/migrations'))).toBe(true);

  service = await startScript({
    argv: ['dist/scripts/start.js'],
    env: { SANDBOX: '1', SANDBOX_START: '2026-03-02T09:00:00+08:00', DATA_DIR: dataDir, PORT: '0', ENGINE_PORT: '0' },
  });
  const tokens = JSON.parse(await readFile(path.join(dataDir, 'demo-tokens.json'), 'utf8'));
  const url = service.url;
  const post = async (who: string, p: string, body: object, status = 200) => {
    const res = await fetch(`${url}${p}`, { method: 'POST', headers: { Authorization: `Bearer ${who}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(`${p} ${res.status}`).toBe(`${p} ${status}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const unit = tokens.units['kf-047'];
  const created = await post(tokens.center, '/tickets', { callerName: '张三', callerPhone: '13800001111', summary: '小区门口路灯一周不亮', category: 'complaint', mainUnitId: 'kf-047' }, 201);
  const id = created.workOrderId as string;
  await post(unit, `/tickets/${id}/sign`, {});
  await post(unit, `/tickets/${id}/contact`, { reached: true, person: '王五' });
  await post(unit, `/tickets/${id}/reply`, { resultType: 'resolved', firstContactAt: '2026-03-02T10:00:00+08:00', firstContactPerson: '王五', facts: '控制箱故障', answer: '已更换控制箱', answeredAt: '2026-03-02T11:00:00+08:00' });
  await post(tokens.center, `/tickets/${id}/reply-review`, { accepted: true, reason: '答复规范' });
  const closed = await post(tokens.center, `/tickets/${id}/callback`, { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied' });
  expect(closed.stage).toBe('closed');
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  // The web console is served from the build too (copied beside the compiled code).
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<html');
  // As the bundle npm run build wrote (dist/console-bundle: the image has no esbuild).
  expect(existsSync(path.join(repoRoot, 'dist/console-bundle/manifest.json'))).toBe(true);
  const script = /src="(\/console\/assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  const asset = await fetch(`${url}${script}`, { headers: { 'Accept-Encoding': 'br' } });
  expect(asset.status).toBe(200);
  expect(asset.headers.get('cache-control')).toMatch(/immutable/);

  service.child.kill('SIGTERM');
  expect(await service.exited).toBe(0);
}, 400_000);
