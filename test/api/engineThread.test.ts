/**
 * ENGINE_THREAD=1 (scripts/engineThread.ts, issue 9): the embedded engine runs in a thread of its
 * own; a work order is created and signed through it as usual, and Ctrl-C still stops the API,
 * the worker, the engine and PostgreSQL in that order. The sandbox's manual clock needs the engine
 * on the main thread, so the two together are refused at start, naming the variable.
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

let dataDir: string;
let service: StartedScript | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-engine-thread-'));
});
afterAll(async () => {
  if (service && service.child.exitCode === null) process.kill(-service.child.pid!, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

test('ENGINE_THREAD is refused with the sandbox and with an external Temporal', () => {
  const refusal = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
    } catch (error) {
      return error instanceof ConfigError ? error.variables : error;
    }
    return 'accepted';
  };
  expect(refusal({ ENGINE_THREAD: '1', SANDBOX: '1' })).toEqual([expect.objectContaining({ name: 'ENGINE_THREAD', message: expect.stringContaining('main thread') })]);
  expect(refusal({ ENGINE_THREAD: '1', TEMPORAL_ADDRESS: 'temporal:7233' })).toEqual([expect.objectContaining({ name: 'ENGINE_THREAD' })]);
  expect(loadConfig({ ENGINE_THREAD: '1' }).ENGINE_THREAD).toBe(true);
  expect(loadConfig({}).ENGINE_THREAD).toBe(false);
});

test('a work order is created and signed through the engine in its own thread; Ctrl-C stops in order', async () => {
  const started = startScript({ env: { DATA_DIR: dataDir, PORT: '0', ENGINE_PORT: '0', ENGINE_THREAD: '1', SEED_DEMO: '1' }, detached: true });
  service = await started;
  const s = service;
  const running = s
    .stdout()
    .split('\n')
    .filter((line) => line.includes('"msg":"engine running"'))
    .map((line) => JSON.parse(line) as { thread?: boolean; clock?: string });
  expect(running).toEqual([expect.objectContaining({ thread: true, clock: 'real' })]);

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

test('an engine port already taken stops the start with an ENGINE_PORT message', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-engine-thread-port-'));
    const run = await runScript(tsNodeArgv('scripts/start.ts'), { DATA_DIR: dir, PORT: '0', ENGINE_PORT: String(port), ENGINE_THREAD: '1', LOG_LEVEL: 'warn' });
    await rm(dir, { recursive: true, force: true });
    expect(run.code).not.toBe(0);
    expect(run.stderr + run.stdout).toContain(`ENGINE_PORT: the engine cannot listen on port ${port}`);
  } finally {
    taken.close();
  }
});
