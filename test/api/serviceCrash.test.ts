/**
 * The whole service killed with SIGKILL under load, the engine in its own thread (the default,
 * scripts/engineThread.ts): clients create and sign work orders through the API while the process
 * group (API, worker, engine thread, embedded PostgreSQL) is killed at random moments and
 * restarted on the same data directory. Afterwards every acknowledged creation is there, every
 * acknowledged sign is recorded, and repeating an acknowledged creation with its Idempotency-Key
 * answers the same work order (nothing doubled). test/engine-durability/crash.test.ts kills the
 * engine alone, as its own process; this kills it in the thread the service runs it in.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { demoTokens, type DemoTokens } from '../../db/seed/demo';
import { startScript, type StartedScript } from '../support/startScript';

const CLIENTS = 6;
const KILLS = 3;
const UNIT = 'kf-046';

let dataDir: string;
/** The service's process (also while it starts: a start that never gets ready is killed too). */
let child: ChildProcess | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-service-crash-'));
});
afterAll(async () => {
  if (child) killGroup(child);
  await rm(dataDir, { recursive: true, force: true });
});

function killGroup(process_: ChildProcess): void {
  try {
    process.kill(-process_.pid!, 'SIGKILL');
  } catch {
    // the group has exited
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function start(): Promise<StartedScript> {
  const started = startScript({ env: { DATA_DIR: dataDir, PORT: '0', ENGINE_PORT: '0', SEED_DEMO: '1' }, detached: true, readyWithinMs: 180_000 });
  child = started.child;
  return started;
}

interface Acknowledged {
  /** Idempotency-Key → work order, for every creation answered 201. */
  created: Map<string, { workOrderId: string; body: string }>;
  /** Work orders whose sign was answered 200. */
  signed: Set<string>;
}

/** One client: creates a work order, signs it, again, until `stop`; records what was acknowledged. */
async function client(url: string, tokens: DemoTokens, acked: Acknowledged, stop: { now: boolean }): Promise<void> {
  const json = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
  while (!stop.now) {
    const key = randomUUID();
    const body = JSON.stringify({ callerName: '张三', callerPhone: '13800001111', summary: `路灯不亮 ${key.slice(0, 8)}`, category: 'complaint', mainUnitId: UNIT });
    try {
      const created = await fetch(`${url}/tickets`, { method: 'POST', headers: { ...json(tokens.center), 'Idempotency-Key': key }, body });
      if (created.status !== 201) continue;
      const { workOrderId } = (await created.json()) as { workOrderId: string };
      acked.created.set(key, { workOrderId, body });
      const signed = await fetch(`${url}/tickets/${workOrderId}/sign`, { method: 'POST', headers: json(tokens.units[UNIT]), body: '{}' });
      if (signed.status === 200) acked.signed.add(workOrderId);
    } catch {
      // the service is being killed: whatever was not answered was not acknowledged
      await sleep(50);
    }
  }
}

test('SIGKILL of the whole service under load loses no acknowledged creation or sign', async () => {
  const acked: Acknowledged = { created: new Map(), signed: new Set() };
  for (let kill = 0; kill < KILLS; kill++) {
    const s = await start();
    expect(s.stdout()).not.toMatch(/"thread":false/);
    const tokens = demoTokens(readFileSync(path.join(dataDir, 'demo-secret'), 'utf8').trim());
    const stop = { now: false };
    const clients = Array.from({ length: CLIENTS }, () => client(s.url, tokens, acked, stop));
    // Killed at a random moment once work is flowing (creations, signs, their commits in flight).
    const before = acked.signed.size;
    const until = Date.now() + 60_000;
    while (acked.signed.size < before + 10 && Date.now() < until) await sleep(100);
    await sleep(500 + Math.random() * 2_000);
    process.kill(-s.child.pid!, 'SIGKILL');
    await s.exited;
    stop.now = true;
    await Promise.all(clients);
  }
  expect(acked.created.size).toBeGreaterThan(KILLS * 10);
  expect(acked.signed.size).toBeGreaterThanOrEqual(KILLS * 10);

  const s = await start();
  const tokens = demoTokens(readFileSync(path.join(dataDir, 'demo-secret'), 'utf8').trim());
  const center = { Authorization: `Bearer ${tokens.center}` };
  const lost: string[] = [];
  const unsigned: string[] = [];
  const doubled: string[] = [];
  for (const [key, { workOrderId, body }] of acked.created) {
    const state = await fetch(`${s.url}/tickets/${workOrderId}`, { headers: center });
    if (state.status !== 200) {
      lost.push(`${workOrderId}: ${state.status}`);
      continue;
    }
    const { stage } = (await state.json()) as { stage: string };
    if (acked.signed.has(workOrderId) && stage === 'dispatched') unsigned.push(workOrderId);
    const again = await fetch(`${s.url}/tickets`, { method: 'POST', headers: { ...center, 'Content-Type': 'application/json', 'Idempotency-Key': key }, body });
    const repeated = (await again.json()) as { workOrderId?: string };
    if (again.status !== 201 || repeated.workOrderId !== workOrderId) doubled.push(`${workOrderId}: ${again.status} ${repeated.workOrderId}`);
  }
  expect({ lost, unsigned, doubled }).toEqual({ lost: [], unsigned: [], doubled: [] });

  process.kill(-s.child.pid!, 'SIGINT');
  expect(await s.exited).toBe(0);
}, 600_000);
