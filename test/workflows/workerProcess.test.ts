/**
 * The worker process (worker/main.ts) as deployed: a child process configured by environment,
 * against the project's engine and an embedded PostgreSQL, writing the read model with the real
 * activities; it stops cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEngine, type EngineHandle } from '../../engine';
import { TASK_QUEUE, WORKFLOW_TYPE, signUpdate, stateQuery } from '../../workflows/messages';
import type { workOrderWorkflow } from '../../workflows/workOrder';
import { AesGcmPayloadCodec } from '../../temporal/payloadCodec';
import { newPayloadKeyEntry, parsePayloadKeys } from '../../temporal/payloadKeys';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { input, unitUser } from './fixtures';

const root = path.resolve(__dirname, '../..');
// The worker encrypts payloads (issue 15); the client here uses the same key.
const payloadKeys = newPayloadKeyEntry('test');
const dataConverter = { payloadCodecs: [new AesGcmPayloadCodec(parsePayloadKeys(payloadKeys, 'test'))] };
let db: TestPostgres;
let engine: EngineHandle;
let connection: Connection;
let worker: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  [db, engine] = await Promise.all([startTestPostgres(), startEngine({ clock: 'real' })]);
  connection = await Connection.connect({ address: engine.address });
}, 120_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  await connection?.close();
  await engine?.stop();
  await db?.stop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; worker output:\n${output.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it('runs work orders into the read model and exits on SIGTERM', async () => {
  worker = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'worker/main.ts'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: engine.address, DATABASE_URL: db.databaseUrl, PAYLOAD_KEYS: payloadKeys },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (d) => (output += d));
  worker.stderr!.on('data', (d) => (output += d));
  await until('the worker to start', async () => (output.includes('worker running') ? true : undefined));

  const client = new Client({ connection, dataConverter });
  const wo = input();
  const handle = await client.workflow.start<typeof workOrderWorkflow>(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId: wo.workOrderId, args: [wo] });
  const signed = await handle.executeUpdate(signUpdate, { args: [{ actor: unitUser('unit-a') }] });
  expect(signed.stage).toBe('handling');
  expect((await handle.query(stateQuery)).units[0].signedAt).toBeDefined();

  // The update answered after its events were persisted: the read model already has them.
  const row = await db.pool.query('SELECT stage, main_unit_id, last_seq FROM work_orders WHERE id = $1', [wo.workOrderId]);
  expect(row.rows).toEqual([{ stage: 'handling', main_unit_id: 'unit-a', last_seq: 3 }]);
  const events = await db.pool.query('SELECT type FROM work_order_events WHERE work_order_id = $1 ORDER BY seq', [wo.workOrderId]);
  expect(events.rows.map((r) => r.type)).toEqual(['created', 'dispatched', 'signed']);
  await until('the new-work-order notification', async () => {
    const n = await db.pool.query(`SELECT unit_id FROM notifications WHERE work_order_id = $1 AND kind = 'newWorkOrder'`, [wo.workOrderId]);
    return n.rows.length ? n.rows : undefined;
  });

  const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
  worker.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('shutting down');
}, 120_000);

it('refuses to start without DATABASE_URL, naming the variable', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: engine.address };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'worker/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(text).toContain('DATABASE_URL');
}, 60_000);
