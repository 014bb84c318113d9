import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startEngine, type EngineHandle, type RunFootprint } from '../../engine';
import { MemoryStore } from '../../engine/persistence/memoryStore';
import { eventually } from '../support/eventually';
import { uid } from './harness';
import { stampedQuery, waitingOrder } from './workflows/liveRuns';

/**
 * Runs created live in the running engine must hold no more than the same runs rebuilt at start-up
 * (issue 9: one process that created 100 000 open work orders live kept ≈ 18 KiB more per run:
 * its last event, a local-activity marker whose payloads were views into the whole completion
 * request; search attributes, memo and the sticky queue decoded per run, not shared). Counted by
 * structure, not by bytes or time.
 */
describe('memory of runs created live', () => {
  const RUNS = 6;
  const workflowsPath = require.resolve('./workflows/liveRuns');
  const activities = { stamp: async (note: string): Promise<string> => `${note}:${'状态'.repeat(1500)}` };

  async function withEngine<T>(store: MemoryStore, fn: (engine: EngineHandle, client: Client) => Promise<T>): Promise<T> {
    // One open run may keep its sticky tail: the others hold what a rebuilt run holds.
    const engine = await startEngine({ store, residentTailRuns: 1 });
    const connection = await Connection.connect({ address: engine.address });
    try {
      return await fn(engine, new Client({ connection }));
    } finally {
      await connection.close();
      await engine.stop();
    }
  }

  /** The footprint once every run's last write is durable (pages out after it). */
  const settled = (engine: EngineHandle): Promise<RunFootprint> =>
    eventually(
      async () => engine.openRunFootprint(),
      (f) => f.openRunsWithEvents <= 1,
    );

  it('hold no events beyond the tail cap, no views into requests, and one copy of equal values, as rebuilt runs do', async () => {
    const store = new MemoryStore();
    const taskQueue = uid('live');
    const live = await withEngine(store, async (engine, client) => {
      const native = await NativeConnection.connect({ address: engine.address });
      const worker = await Worker.create({ connection: native, taskQueue, workflowsPath, activities });
      try {
        return await worker.runUntil(async () => {
          const handles = await Promise.all(
            Array.from({ length: RUNS }, (_, i) => client.workflow.start(waitingOrder, { taskQueue, workflowId: uid('order'), args: [`order ${i}`], memo: { unit: 'kf-001' } })),
          );
          for (const handle of handles) expect(await eventually(() => handle.query(stampedQuery), (stamped) => stamped)).toBe(true);
          return settled(engine);
        });
      } finally {
        await native.close();
      }
    });
    expect(live.openRuns).toBe(RUNS);
    // Only the run with the most recent write keeps its tail; the others hold no event at all.
    expect(live.openRunsWithEvents).toBeLessThanOrEqual(1);
    expect(live.borrowedByteArrays).toBe(0);
    // Equal values (the patch's search attribute, the memo, the worker's sticky queue, the start's
    // task queue and header) are one object for every run.
    expect(live.distinct.searchAttributes).toBe(1);
    expect(live.distinct.memo).toBe(1);
    expect(live.distinct.sticky).toBe(1);
    expect(live.distinct.taskQueue).toBe(1);
    expect(live.distinct.startHeader).toBeLessThanOrEqual(1);

    // The same runs rebuilt at start-up: the live figures above are theirs.
    const rebuilt = await withEngine(store, async (engine) => engine.openRunFootprint());
    expect(rebuilt.openRuns).toBe(RUNS);
    expect(rebuilt.openRunsWithEvents).toBe(0);
    expect(rebuilt.borrowedByteArrays).toBe(0);
    expect(rebuilt.distinct.searchAttributes).toBe(1);
    expect(rebuilt.distinct.memo).toBe(1);
    expect(rebuilt.distinct.taskQueue).toBe(1);
  });
});
