/**
 * `startEngine({ databaseUrl })` in-process: the engine opens the PostgreSQL store itself, holds
 * the database while it runs, and a new engine on the same database carries on where it stopped,
 * including what history does not show (activity attempt counts).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startEngine, type ClockOption, type EngineHandle } from '../../engine';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { createDurabilityActivities, type EscalationLog } from './activities';
import { freePort } from './engineProcess';
import { installQuietRuntime } from './quietRuntime';
import { noteSignal, type durableOrder, type retryingStep } from './workflows/durableOrder';

const workflowsPath = require.resolve('./workflows/durableOrder');
let db: TestPostgres;
let port: number;

beforeAll(async () => {
  installQuietRuntime();
  db = await startTestPostgres({ migrate: false });
  port = await freePort();
}, 120_000);

afterAll(() => db?.stop());

/** Runs `fn` with an engine on the test database, a client and a worker on `taskQueue`. */
async function withEngine<T>(taskQueue: string, log: EscalationLog, fn: (client: Client, engine: EngineHandle) => Promise<T>, clock?: ClockOption): Promise<T> {
  const engine = await startEngine({ port, databaseUrl: db.databaseUrl, clock });
  const connection = await Connection.connect({ address: engine.address });
  const native = await NativeConnection.connect({ address: engine.address });
  try {
    const worker = await Worker.create({ connection: native, taskQueue, workflowsPath, activities: createDurabilityActivities(log) });
    return await worker.runUntil(fn(new Client({ connection }), engine));
  } finally {
    await native.close();
    await connection.close();
    await engine.stop();
  }
}

it('holds the database while it runs; the next engine continues its work orders', async () => {
  const log: EscalationLog = new Map();
  await withEngine('in-process', log, async (client) => {
    const h = await client.workflow.start<typeof durableOrder>('durableOrder', {
      taskQueue: 'in-process',
      workflowId: 'kept-order',
      args: [{ orderId: 'kept-order', deadlinesMs: [], expectNotes: 2, expectActions: 0 }],
    });
    await h.signal(noteSignal, 'first');
    await expect(startEngine({ port: 0, databaseUrl: db.databaseUrl })).rejects.toThrow(/another engine is already running on this database/);
  });
  const result = await withEngine('in-process', log, async (client) => {
    const h = client.workflow.getHandle('kept-order');
    await h.signal(noteSignal, 'second');
    return h.result();
  });
  expect(result).toEqual({ notes: ['first', 'second'], actions: [], escalations: [] });
}, 60_000);

it('activity attempts counted before a restart still count after it', async () => {
  const log: EscalationLog = new Map();
  await withEngine('retries', log, async (client) => {
    const h = await client.workflow.start<typeof retryingStep>('retryingStep', { taskQueue: 'retries', workflowId: 'retrying', args: ['step'] });
    // Stop once attempt 2 has failed (the engine now waits to run attempt 3).
    for (let i = 0; ; i++) {
      const pending = (await h.describe()).raw.pendingActivities ?? [];
      if (pending[0]?.attempt === 3) break;
      if (i > 200) throw new Error('attempt 3 never scheduled');
      await new Promise((r) => setTimeout(r, 25));
    }
  });
  expect(log.get('step')).toEqual([1, 2]);
  const result = await withEngine('retries', log, (client) => client.workflow.getHandle('retrying').result());
  // One more attempt, the third and last: not a fresh count from 1.
  expect(log.get('step')).toEqual([1, 2, 3]);
  expect(result).toMatch(/^gave up/);
}, 60_000);

it('a manual clock does not restart behind the time its work orders reached', async () => {
  const log: EscalationLog = new Map();
  const DAY = 86_400_000;
  let reached = 0;
  await withEngine(
    'manual',
    log,
    async (client, engine) => {
      engine.clock.advance!(10 * DAY);
      const h = await client.workflow.start<typeof durableOrder>('durableOrder', {
        taskQueue: 'manual',
        workflowId: 'sandbox-order',
        args: [{ orderId: 'sandbox-order', deadlinesMs: [3 * DAY], expectNotes: 0, expectActions: 0 }],
      });
      while (!(await h.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes)) await new Promise((r) => setTimeout(r, 20));
      reached = engine.clock.now();
    },
    { kind: 'manual' },
  );
  const result = await withEngine(
    'manual',
    log,
    async (client, engine) => {
      // Not back at wall time: the deadline is still 3 days ahead of the order's own start, not 13.
      expect(engine.clock.now()).toBeGreaterThanOrEqual(reached - 1_000);
      engine.clock.advance!(3 * DAY);
      return client.workflow.getHandle('sandbox-order').result();
    },
    { kind: 'manual' },
  );
  expect(result).toEqual({ notes: [], actions: [], escalations: ['sandbox-order#1'] });
}, 60_000);
