/**
 * A production start as an operator runs it (issue 15): no demo data and no secret printed
 * outside sandbox mode; `npm run create-admin` makes the first administrator and prints its
 * token once, to its own terminal; the service's logs never carry a token or a caller's phone;
 * Ctrl-C (SIGINT to the whole foreground process group, as a terminal sends it) stops the API,
 * the worker, the engine and PostgreSQL in that order, with "stopped" and exit code 0.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../support/eventually';
import { runScript, startScript, tsNodeArgv, type StartedScript } from '../support/startScript';

let dataDir: string;
let service: StartedScript | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-production-'));
});
afterAll(async () => {
  if (service && service.child.exitCode === null) process.kill(-service.child.pid!, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

test('production start: empty directory, first admin by command, no secret in logs, orderly Ctrl-C', async () => {
  const env = { DATA_DIR: dataDir, PORT: '0', ENGINE_PORT: '0' };
  const started = startScript({ env, detached: true });
  service = await started;
  const s = service;
  // No demo directory, no tokens anywhere; the banner says how to get in.
  expect(existsSync(path.join(dataDir, 'demo-tokens.json'))).toBe(false);
  expect(existsSync(path.join(dataDir, 'demo-secret'))).toBe(false);
  // The banner goes to stderr right after "service ready" on stdout: the two pipes race.
  expect(await eventually(async () => s.stderr(), (err) => err.includes('npm run create-admin'), 15_000)).toContain('npm run create-admin');
  expect(s.stderr() + s.stdout()).not.toMatch(/demo_[A-Za-z0-9_-]{20,}|hl_[A-Za-z0-9_-]{20,}/);

  // The first administrator, made while the service runs (same embedded PostgreSQL).
  const made = await runScript([...tsNodeArgv('scripts/create-admin.ts'), '--name', '系统管理员'], env);
  expect(made.stderr).toBe('');
  expect(made.code).toBe(0);
  const token = /\b(hl_[A-Za-z0-9_-]{20,})\b/.exec(made.stdout)?.[1];
  expect(token).toBeDefined();
  // Without --name it refuses, naming the option.
  const refused = await runScript(tsNodeArgv('scripts/create-admin.ts'), env);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--name');

  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const units = (await (await fetch(`${s.url}/units`, { headers })).json()) as unknown[] | { items?: unknown[] };
  expect(Array.isArray(units) ? units : (units.items ?? [])).toHaveLength(0);
  const users = (await (await fetch(`${s.url}/admin/users`, { headers })).json()) as { id: string; role: string }[] | { items: { id: string; role: string }[] };
  expect((Array.isArray(users) ? users : users.items).map((u) => [u.id, u.role])).toEqual([['admin', 'admin']]);

  // A unit and a work order with a caller's phone, then a token issued through the API.
  const unit = await fetch(`${s.url}/admin/units`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ id: 'u-1', name: '市城市照明管理处', kind: 'level1', sector: 'department', webhookSecret: 'webhook-secret-0123456789' }),
  });
  expect(unit.status).toBe(201);
  const phone = '13712345678';
  const created = await fetch(`${s.url}/tickets`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ callerName: '赵六', callerPhone: phone, summary: '路灯不亮', category: 'complaint', mainUnitId: 'u-1' }),
  });
  expect(created.status).toBe(201);
  const clerk = await fetch(`${s.url}/admin/users`, { method: 'POST', headers, body: JSON.stringify({ id: 'clerk-1', name: '承办员', role: 'unit', unitId: 'u-1' }) });
  expect(clerk.status).toBe(201);
  const issued = (await (await fetch(`${s.url}/admin/users/clerk-1/tokens`, { method: 'POST', headers, body: JSON.stringify({ label: 'phone' }) })).json()) as { token: string };
  expect(issued.token).toMatch(/^hl_/);
  const seen = await fetch(`${s.url}/tickets`, { headers: { Authorization: `Bearer ${issued.token}` } });
  expect(seen.status).toBe(200);

  // Ctrl-C in a terminal: SIGINT to the whole process group.
  process.kill(-s.child.pid!, 'SIGINT');
  expect(await s.exited).toBe(0);
  const out = s.stdout();
  // The messages themselves (`"msg":…`): a field such as a worker's state may read "stopped" too.
  const order = ['API stopped', 'worker stopped', 'engine stopped', 'PostgreSQL stopped', 'stopped'].map((m) => out.indexOf(`"msg":"${m}"`));
  expect(order.every((i) => i >= 0)).toBe(true);
  // On failure, the stop lines themselves. An inverted order was seen in CI: pino's asynchronous
  // write of "PostgreSQL stopped" was overtaken by the synchronous flush at exit (scripts/start.ts
  // now exits once every line is written).
  const stopLog = out.slice(out.indexOf('"msg":"shutting down"'));
  expect({ order: [...order].sort((a, b) => a - b), stopLog }).toEqual({ order, stopLog });
  expect(out + s.stderr()).not.toMatch(/FATAL|terminating connection/);
  // An orderly stop: no WARN or ERROR line from "shutting down" on (the pool's connections are
  // closed before PostgreSQL stops, db/poolShutdown.ts). Before it, a calendar near its edge
  // may rightly warn (its date depends on when the test runs).
  const stopLines = out.slice(out.indexOf('"msg":"shutting down"')).split('\n').filter((line) => line.startsWith('{'));
  expect(stopLines.length).toBeGreaterThanOrEqual(order.length);
  expect(stopLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 40)).toEqual([]);
  expect(s.stderr()).not.toMatch(/idle PostgreSQL connection failed|error/i);

  // Nothing secret in the logs of the whole run.
  for (const secret of [token!, issued.token, phone, 'webhook-secret-0123456789']) {
    expect(out).not.toContain(secret);
    expect(s.stderr()).not.toContain(secret);
  }
}, 300_000);
