import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startEngine, type EngineHandle } from '../../engine';
import { MemoryStore } from '../../engine/persistence/memoryStore';
import type { RecoveryMode } from '../../engine/history/recovery';
import { uid } from './harness';
import { bumpUpdate, finishSignal, retagSignal, snapshotSubject, taggedRun } from './workflows/snapshot';

/**
 * Start-up rebuilds open runs from their saved mutable-state snapshot instead of replaying their
 * histories (issue 9): the state it rebuilds must be the state a replay rebuilds.
 */
describe('recovery from mutable-state snapshots', () => {
  const workflowsPath = require.resolve('./workflows/snapshot');
  const activities = {
    flaky: async (): Promise<string> => {
      throw new Error('not yet');
    },
  };

  async function withEngine<T>(store: MemoryStore, recovery: RecoveryMode, fn: (engine: EngineHandle, client: Client) => Promise<T>): Promise<T> {
    const engine = await startEngine({ store, recovery });
    const connection = await Connection.connect({ address: engine.address });
    try {
      return await fn(engine, new Client({ connection }));
    } finally {
      await connection.close();
      await engine.stop();
    }
  }

  async function withWorker<T>(engine: EngineHandle, taskQueue: string, fn: () => Promise<T>): Promise<T> {
    const native = await NativeConnection.connect({ address: engine.address });
    const worker = await Worker.create({ connection: native, taskQueue, workflowsPath, activities });
    try {
      return await worker.runUntil(fn());
    } finally {
      await native.close();
    }
  }

  /** What a client can see of a run's mutable state, plus its whole history. */
  async function observe(client: Client, workflowIds: string[]): Promise<unknown[]> {
    const svc = client.connection.workflowService;
    return Promise.all(
      workflowIds.map(async (workflowId) => {
        const d = await svc.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        const describe = d.toJSON() as any;
        // A recovered activity attempt is queued again when the engine starts: its time differs by engine.
        for (const a of describe.pendingActivities ?? []) delete a.scheduledTime;
        return { describe, events: history.events?.length };
      }),
    );
  }

  it('gives the same state as replaying the history, and the runs carry on from it', async () => {
    const store = new MemoryStore();
    const taskQueue = uid('snap');
    const workflowId = uid('subject');
    const childId = `${workflowId}-child`;

    await withEngine(store, 'snapshot', (engine, client) =>
      withWorker(engine, taskQueue, async () => {
        const handle = await client.workflow.start(snapshotSubject, { taskQueue, workflowId });
        expect(await handle.executeUpdate(bumpUpdate, { args: [5], updateId: 'bump-1' })).toBe(5);
        // Wait until the activity's first attempt failed (attempt 2 waits out a 1 hour backoff).
        for (;;) {
          const d = await handle.describe();
          if (d.raw.pendingActivities?.[0]?.attempt === 2 && d.raw.pendingChildren?.length === 1) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }),
    );

    const fromSnapshot = await withEngine(store, 'snapshot', async (engine, client) => {
      expect(engine.recovered).toEqual({ runs: 2, replayed: 0 });
      return observe(client, [workflowId, childId]);
    });
    const fromReplay = await withEngine(store, 'replay', async (engine, client) => {
      expect(engine.recovered).toEqual({ runs: 2, replayed: 2 });
      return observe(client, [workflowId, childId]);
    });
    expect(fromSnapshot).toEqual(fromReplay);
    // Runs stored without their start record (by an older engine) take it from their first event.
    const records = (store as unknown as { runs: Map<string, { record: { start?: unknown } }> }).runs;
    const starts = new Map([...records].map(([key, run]) => [key, run.record.start]));
    for (const run of records.values()) delete run.record.start;
    const fromFirstEvent = await withEngine(store, 'snapshot', async (engine, client) => {
      expect(engine.recovered).toEqual({ runs: 2, replayed: 0 });
      return observe(client, [workflowId, childId]);
    });
    expect(fromFirstEvent).toEqual(fromReplay);
    for (const [key, run] of records) run.record.start = starts.get(key);
    const [subject] = fromSnapshot as Array<{ describe: any }>;
    expect(subject.describe.pendingActivities[0]).toMatchObject({ attempt: 2, lastFailure: { message: 'not yet' } });
    expect(subject.describe.pendingChildren).toHaveLength(1);
    expect(Object.keys(subject.describe.workflowExecutionInfo.memo.fields)).toEqual(['note']);
    expect(subject.describe.workflowExecutionInfo.searchAttributes.indexedFields.CustomKeywordField).toBeDefined();

    await withEngine(store, 'snapshot', (engine, client) =>
      withWorker(engine, taskQueue, async () => {
        const handle = client.workflow.getHandle(workflowId);
        // The same update id answers the stored outcome (read from its completion event), once.
        expect(await handle.executeUpdate(bumpUpdate, { args: [5], updateId: 'bump-1' })).toBe(5);
        expect(await handle.executeUpdate(bumpUpdate, { args: [1], updateId: 'bump-2' })).toBe(6);
        await handle.signal(finishSignal);
        expect(await handle.result()).toBe('6 child done');
      }),
    );
    // Five engines and two workers on a loaded 2-core machine.
  }, 180_000);

  it('shares values equal across rebuilt runs, and a change to one run stays its own', async () => {
    const store = new MemoryStore();
    const taskQueue = uid('shared');
    const ids = [uid('tagged-a'), uid('tagged-b')];
    const tags = async (client: Client) =>
      Promise.all(
        ids.map(async (workflowId) => {
          const d = await client.workflow.getHandle(workflowId).describe();
          return { keyword: d.searchAttributes.CustomKeywordField, memo: d.memo };
        }),
      );
    await withEngine(store, 'snapshot', (engine, client) =>
      withWorker(engine, taskQueue, async () => {
        for (const workflowId of ids) await client.workflow.start(taggedRun, { taskQueue, workflowId });
        // Both runs' first task (their tags) is stored before the engine stops.
        for (;;) {
          const seen = await tags(client);
          if (seen.every((t) => t.memo?.note === 'same for all')) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }),
    );
    await withEngine(store, 'snapshot', (engine, client) =>
      withWorker(engine, taskQueue, async () => {
        expect(engine.recovered).toEqual({ runs: 2, replayed: 0 });
        await client.workflow.getHandle(ids[0]).signal(retagSignal, 'changed');
        for (;;) {
          const [a] = await tags(client);
          if (a.memo?.note === 'changed') break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(await tags(client)).toEqual([
          { keyword: ['changed'], memo: { note: 'changed' } },
          { keyword: ['waiting'], memo: { note: 'same for all' } },
        ]);
      }),
    );
    // And once more from the snapshots written after the change.
    await withEngine(store, 'snapshot', async (_engine, client) => {
      expect(await tags(client)).toEqual([
        { keyword: ['changed'], memo: { note: 'changed' } },
        { keyword: ['waiting'], memo: { note: 'same for all' } },
      ]);
    });
    await withEngine(store, 'snapshot', (engine, client) =>
      withWorker(engine, taskQueue, async () => {
        for (const workflowId of ids) await client.workflow.getHandle(workflowId).signal(finishSignal);
        for (const workflowId of ids) await client.workflow.getHandle(workflowId).result();
      }),
    );
  }, 180_000);
});
