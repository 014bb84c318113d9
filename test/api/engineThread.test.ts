/**
 * The embedded engine runs in a thread of its own by default (scripts/engineThread.ts, issue 9;
 * ENGINE_THREAD=0 keeps it on the main thread): a work order is created and signed through it as
 * usual, and Ctrl-C still stops the API, the worker, the engine and PostgreSQL in that order. In
 * sandbox mode the manual clock lives in the thread: the API moves it and tells the same time, and
 * the deadlines on the way escalate at their own instants. ENGINE_THREAD=1 with an external
 * Temporal is refused at start, naming the variable.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../api/config';
import { demoTokens } from '../../db/seed/demo';
import { kaifengUnits } from '../../db/seed/kaifengUnits';
import { runScript, startScript, tsNodeArgv, type StartedScript } from '../support/startScript';

/** Kills a started service's process group (already gone: nothing to do). */
function killGroup(started: StartedScript): void {
  try {
    process.kill(-started.child.pid!, 'SIGKILL');
  } catch {
    // the group has exited
  }
}

let dataDir: string;
let service: StartedScript | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-engine-thread-'));
});
afterAll(async () => {
  if (service && service.child.exitCode === null) killGroup(service);
  await rm(dataDir, { recursive: true, force: true });
});

test('ENGINE_THREAD: on unless set to 0; refused with an external Temporal', () => {
  const refusal = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
    } catch (error) {
      return error instanceof ConfigError ? error.variables : error;
    }
    return 'accepted';
  };
  expect(refusal({ ENGINE_THREAD: '1', TEMPORAL_ADDRESS: 'temporal:7233' })).toEqual([expect.objectContaining({ name: 'ENGINE_THREAD' })]);
  // Absent is the default: the thread with the embedded engine, nothing with a cluster.
  expect(refusal({ TEMPORAL_ADDRESS: 'temporal:7233' })).toBe('accepted');
  expect(loadConfig({ ENGINE_THREAD: '1', SANDBOX: '1' }).ENGINE_THREAD).toBe(true);
  expect(loadConfig({ ENGINE_THREAD: '0' }).ENGINE_THREAD).toBe(false);
  expect(loadConfig({}).ENGINE_THREAD).toBeUndefined();
});

/** The "engine running" log lines of a start. */
const engineRunning = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.includes('"msg":"engine running"'))
    .map((line) => JSON.parse(line) as { thread?: boolean; clock?: string });

test('a work order is created and signed through the engine in its own thread; Ctrl-C stops in order', async () => {
  const started = startScript({ env: { DATA_DIR: dataDir, PORT: '0', ENGINE_PORT: '0', SEED_DEMO: '1' }, detached: true });
  service = await started;
  const s = service;
  expect(engineRunning(s.stdout())).toEqual([expect.objectContaining({ thread: true, clock: 'real' })]);

  const tokens = demoTokens(readFileSync(path.join(dataDir, 'demo-secret'), 'utf8').trim());
  const unitId = kaifengUnits.find((u) => u.id !== 'kf-000')!.id;
  const json = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
  const created = await fetch(`${s.url}/tickets`, {
    method: 'POST',
    headers: json(tokens.center),
    body: JSON.stringify({ callerName: '张三', callerPhone: '13800001111', summary: '小区门口路灯一周不亮', category: 'complaint', mainUnitId: unitId }),
  });
  expect(created.status).toBe(201);
  const { workOrderId } = (await created.json()) as { workOrderId: string };
  const signed = await fetch(`${s.url}/tickets/${workOrderId}/sign`, { method: 'POST', headers: json(tokens.units[unitId]), body: '{}' });
  expect(signed.status).toBe(200);
  expect(((await signed.json()) as { stage: string }).stage).toBe('handling');

  process.kill(-s.child.pid!, 'SIGINT');
  expect(await s.exited).toBe(0);
  const out = s.stdout();
  const order = ['API stopped', 'worker stopped', 'engine stopped', 'PostgreSQL stopped', 'stopped'].map((m) => out.indexOf(`"msg":"${m}"`));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(out + s.stderr()).not.toMatch(/engine error|engine thread stopped|FATAL/);
});

test('sandbox: the manual clock in the engine thread is moved by the API, and deadlines on the way escalate at their instants', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-engine-thread-sandbox-'));
  // Monday 09:00 in Shanghai: the sign deadline's urges and escalation fall on Monday to Wednesday.
  const started = startScript({ env: { DATA_DIR: dir, PORT: '0', ENGINE_PORT: '0', SANDBOX: '1', SANDBOX_START: '2026-12-07T09:00:00+08:00' }, detached: true });
  service = await started;
  const s = service;
  try {
    expect(engineRunning(s.stdout())).toEqual([expect.objectContaining({ thread: true, clock: 'manual' })]);
    const tokens = demoTokens(readFileSync(path.join(dir, 'demo-secret'), 'utf8').trim());
    const json = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
    const now = async () => Date.parse(((await (await fetch(`${s.url}/health`)).json()) as { now: string }).now);
    // The API tells the thread's time: the sandbox start, not the wall clock (2026-12-04 or later).
    const before = await now();
    expect(before).toBeGreaterThanOrEqual(Date.parse('2026-12-07T09:00:00+08:00'));
    expect(before).toBeLessThan(Date.parse('2026-12-07T09:10:00+08:00'));

    const created = await fetch(`${s.url}/tickets`, {
      method: 'POST',
      headers: json(tokens.center),
      body: JSON.stringify({ callerName: '李四', callerPhone: '13900002222', summary: '井盖缺失', category: 'help', mainUnitId: 'kf-046' }),
    });
    expect(created.status).toBe(201);
    const { workOrderId } = (await created.json()) as { workOrderId: string };

    const advanced = await fetch(`${s.url}/admin/clock/advance`, { method: 'POST', headers: json(tokens.admin), body: JSON.stringify({ by: '50h' }) });
    expect(advanced.status).toBe(200);
    const moved = (await advanced.json()) as { now: string; steps: number };
    expect(moved.steps).toBeGreaterThanOrEqual(3);
    expect(Date.parse(moved.now) - before).toBeGreaterThanOrEqual(50 * 3_600_000);
    // The main thread reads the offset the thread published: the same time, not the old one.
    const after = await now();
    expect(after).toBeGreaterThanOrEqual(Date.parse(moved.now));
    expect(after - Date.parse(moved.now)).toBeLessThan(60_000);

    // Each recorded at its own instant (the activities on the main thread read the moved clock).
    const events = (await (await fetch(`${s.url}/tickets/${workOrderId}/events`, { headers: json(tokens.center) })).json()) as {
      items: { at: string; type: string }[];
    };
    const instants = (type: string) => [...new Set(events.items.filter((e) => e.type === type).map((e) => e.at.slice(0, 13)))];
    expect(instants('urged')).toEqual(['2026-12-07T09', '2026-12-08T01']);
    expect(instants('escalated')).toEqual(['2026-12-09T01']);

    process.kill(-s.child.pid!, 'SIGINT');
    expect(await s.exited).toBe(0);
    expect(s.stdout() + s.stderr()).not.toMatch(/engine error|engine thread stopped|FATAL/);
  } finally {
    if (s.child.exitCode === null) killGroup(s);
    await rm(dir, { recursive: true, force: true });
  }
});

test.each([
  ['in its own thread', {}],
  ['on the main thread (ENGINE_THREAD=0)', { ENGINE_THREAD: '0' }],
])('an engine port already taken stops the start with an ENGINE_PORT message: %s', async (_placement, env) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-engine-thread-port-'));
    const run = await runScript(tsNodeArgv('scripts/start.ts'), { DATA_DIR: dir, PORT: '0', ENGINE_PORT: String(port), LOG_LEVEL: 'warn', ...env });
    await rm(dir, { recursive: true, force: true });
    expect(run.code).not.toBe(0);
    expect(run.stderr + run.stdout).toContain(`ENGINE_PORT: the engine cannot listen on port ${port}`);
  } finally {
    taken.close();
  }
});
