/**
 * `npm start` as a user runs it: configuration errors name the variable; in sandbox mode the
 * service starts with embedded PostgreSQL, the engine and the worker, prints its URL, writes the
 * demo tokens, serves requests, stops cleanly on SIGTERM and keeps its data across a restart.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoTokens } from '../../db/seed/demo';
import { startEngine } from '../../engine';
import { startTestPostgres } from '../support/postgres';
import { runScript, startScript, tsNodeArgv } from '../support/startScript';

/** `npm start` in this checkout with `env`, 90 s to get ready (test/support/startScript.ts). */
const start = (env: Record<string, string>) => startScript({ env, readyWithinMs: 90_000 });

let dataDir: string;
const running: ChildProcess[] = [];
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-start-'));
});
afterAll(async () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

test('a bad variable stops the start with its name', async () => {
  const { code, stderr: err } = await runScript(tsNodeArgv('scripts/start.ts'), { PORT: 'eighty', SANDBOX_START: '2026-03-02' });
  expect(code).toBe(2);
  expect(err).toContain('PORT');
  expect(err).toContain('SANDBOX_START');
}, 60_000);

test('sandbox start, requests, graceful stop, restart with the same data', async () => {
  const env = { SANDBOX: '1', SANDBOX_START: '2026-03-02T09:00:00+08:00', DATA_DIR: dataDir, PORT: '0', ENGINE_PORT: '0' };
  const first = start(env);
  running.push(first.child);
  const service = await first;
  const health = (await (await fetch(`${service.url}/health`)).json()) as { ok: boolean; sandbox: boolean; now: string };
  expect(health).toMatchObject({ ok: true, sandbox: true });
  expect(new Date(health.now).getTime()).toBeLessThan(new Date('2026-03-03T00:00:00Z').getTime());

  const tokens = JSON.parse(await readFile(path.join(dataDir, 'demo-tokens.json'), 'utf8'));
  expect(Object.keys(tokens.units)).toHaveLength(59);
  const headers = { Authorization: `Bearer ${tokens.center}`, 'Content-Type': 'application/json' };
  const created = await fetch(`${service.url}/tickets`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ callerName: '孙八', callerPhone: '13500005555', summary: '噪音扰民', category: 'complaint', mainUnitId: 'kf-007' }),
  });
  expect(created.status).toBe(201);
  const id = ((await created.json()) as { workOrderId: string }).workOrderId;
  // The read model is written by the worker's activity shortly after.
  let listed: { total: number } = { total: 0 };
  for (let i = 0; i < 100 && listed.total === 0; i++) {
    listed = (await (await fetch(`${service.url}/tickets`, { headers })).json()) as { total: number };
    if (listed.total === 0) await new Promise((r) => setTimeout(r, 100));
  }
  expect(listed.total).toBe(1);
  // No secret in the JSON logs: no token, no database password.
  const password = (await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).trim();
  expect(service.stdout()).not.toContain(tokens.center);
  expect(service.stdout()).not.toContain(password);
  // Sandbox: the banner shows the demo users' console passwords (and the file has them).
  const passwords = JSON.parse(await readFile(path.join(dataDir, 'demo-passwords.json'), 'utf8'));
  for (let i = 0; i < 50 && !service.stderr().includes('console sign-in'); i++) await new Promise((r) => setTimeout(r, 100));
  expect(service.stderr()).toContain(`center-1 / ${passwords.center.password}`);

  service.child.kill('SIGTERM');
  expect(await service.exited).toBe(0);
  expect(service.stdout()).toContain('"stopped"');

  const second = start(env);
  running.push(second.child);
  const again = await second;
  const after = (await (await fetch(`${again.url}/tickets`, { headers })).json()) as { items: { id: string }[] };
  expect(after.items.map((i) => i.id)).toEqual([id]);
  const one = await fetch(`${again.url}/tickets/${id}`, { headers });
  expect(one.status).toBe(200);
  // The engine kept the workflow in PostgreSQL: the work order still acts, on a clock that did
  // not run backwards.
  const unit = { Authorization: `Bearer ${tokens.units['kf-007']}`, 'Content-Type': 'application/json' };
  const signed = await fetch(`${again.url}/tickets/${id}/sign`, { method: 'POST', headers: unit, body: '{}' });
  expect(signed.status).toBe(200);
  const state = (await signed.json()) as { stage: string; createdAt: string; units: { signedAt?: string }[] };
  expect(state.stage).toBe('handling');
  expect(new Date(state.units[0].signedAt!).getTime()).toBeGreaterThanOrEqual(new Date(state.createdAt).getTime());
  again.child.kill('SIGINT');
  expect(await again.exited).toBe(0);
}, 240_000);

test('TEMPORAL_ADDRESS and DATABASE_URL: the same service on an external engine and PostgreSQL', async () => {
  const db = await startTestPostgres();
  const engine = await startEngine({ clock: 'real', onError: () => undefined });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-external-'));
  try {
    const started = start({ DATABASE_URL: db.databaseUrl, TEMPORAL_ADDRESS: engine.address, DATA_DIR: dir, PORT: '0', SEED_DEMO: '1' });
    running.push(started.child);
    const service = await started;
    // No embedded PostgreSQL was made: the data folder holds only secrets (demo, payload keys).
    expect(await readdir(dir)).not.toContain('postgres');
    expect(await readdir(dir)).not.toContain('postgres-password');
    const secret = (await readFile(path.join(dir, 'demo-secret'), 'utf8')).trim();
    const tokens = demoTokens(secret);
    // Outside sandbox nothing secret is printed: no token, no password.
    for (let i = 0; i < 50 && !service.stderr().includes('not printed outside sandbox'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(service.stderr()).toContain('not printed outside sandbox');
    expect(service.stderr()).not.toContain(tokens.center);
    expect(service.stderr()).not.toContain(JSON.parse(await readFile(path.join(dir, 'demo-passwords.json'), 'utf8')).center.password);
    const created = await fetch(`${service.url}/tickets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.center}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ callerName: '周九', callerPhone: '13300003333', summary: '外部集群测试', category: 'help', mainUnitId: 'kf-003' }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { workOrderId: string }).workOrderId;
    const signed = await fetch(`${service.url}/tickets/${id}/sign`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.units['kf-003']}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(signed.status).toBe(200);
    // The workflow ran on the external engine and the worker wrote the external database.
    const { rows } = await db.pool.query<{ stage: string }>('SELECT stage FROM work_orders WHERE id = $1', [id]);
    for (let i = 0; i < 100 && rows[0]?.stage !== 'handling'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows.splice(0, rows.length, ...(await db.pool.query<{ stage: string }>('SELECT stage FROM work_orders WHERE id = $1', [id])).rows);
    }
    expect(rows[0]?.stage).toBe('handling');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  } finally {
    await engine.stop();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}, 180_000);

test('a SIGTERM while the service starts stops it in order once started (the SDK does not stop the worker on its own)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-start-signal-'));
  try {
    const starting = startScript({ env: { SANDBOX: '1', DATA_DIR: dir, PORT: '0', ENGINE_PORT: '0' }, readyWithinMs: 90_000 });
    running.push(starting.child);
    starting.catch(() => undefined);
    let out = '';
    const exited = new Promise<number | null>((resolve) => starting.child.once('exit', (code) => resolve(code)));
    // The signal as soon as the engine runs: the worker and the API are still starting.
    await new Promise<void>((resolve, reject) => {
      starting.child.stdout!.on('data', (s: Buffer | string) => {
        out += String(s);
        if (out.includes('"msg":"engine running"')) resolve();
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before the engine ran\n${out}`)));
    });
    starting.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const order = ['shutting down', 'API stopped', 'worker stopped', 'engine stopped', 'PostgreSQL stopped', 'stopped'].map((m) => out.indexOf(`"msg":"${m}"`));
    expect({ order: [...order].sort((a, b) => a - b), found: order.every((i) => i >= 0) }).toEqual({ order, found: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 180_000);
