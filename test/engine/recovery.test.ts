import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startEngine } from '../../engine';
import { MemoryStore } from '../../engine/persistence/memoryStore';
import { uid } from './harness';
import { addSignal, doneSignal, hello, sleeper, summer, totalQuery } from './workflows/basics';

/** The history is the source of truth: a new engine on the same store carries on every run. */
describe('recovery from the store', () => {
  const workflowsPath = require.resolve('./workflows/basics');

  async function withEngine<T>(store: MemoryStore, fn: (client: Client, taskQueue: string) => Promise<T>, taskQueue: string): Promise<T> {
    const engine = await startEngine({ store });
    const connection = await Connection.connect({ address: engine.address });
    const native = await NativeConnection.connect({ address: engine.address });
    const worker = await Worker.create({ connection: native, taskQueue, workflowsPath, activities: { echo: async (s: string) => s } });
    try {
      return await worker.runUntil(fn(new Client({ connection }), taskQueue));
    } finally {
      await native.close();
      await connection.close();
      await engine.stop();
    }
  }

  it('continues signals, timers and closed runs on a new engine over the same store', async () => {
    const store = new MemoryStore();
    const taskQueue = uid('rec');
    const ids = { sum: uid('sum'), sleep: uid('sleep'), done: uid('done') };
    await withEngine(
      store,
      async (client) => {
        await client.workflow.execute(hello, { taskQueue, workflowId: ids.done, args: ['before'] });
        const sum = await client.workflow.start(summer, { taskQueue, workflowId: ids.sum });
        await sum.signal(addSignal, 40);
        expect(await sum.query(totalQuery)).toBe(40);
        const sleeping = await client.workflow.start(sleeper, { taskQueue, workflowId: ids.sleep, args: [1500] });
        // Stop only once its timer is in history (a task in flight would wait for its timeout).
        while (!(await sleeping.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes)) await new Promise((r) => setTimeout(r, 20));
      },
      taskQueue,
    );
    await withEngine(
      store,
      async (client) => {
        expect(await client.workflow.getHandle(ids.done).result()).toBe('hello before');
        const sum = client.workflow.getHandle(ids.sum);
        // The new worker replays the history; the state built before the restart is there.
        expect(await sum.query(totalQuery)).toBe(40);
        await sum.signal(addSignal, 2);
        await sum.signal(doneSignal);
        expect(await sum.result()).toBe(42);
        expect(await client.workflow.getHandle(ids.sleep).result()).toBe('slept');
        const listed: string[] = [];
        for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) listed.push(wf.workflowId);
        expect(listed.sort()).toEqual(Object.values(ids).sort());
      },
      taskQueue,
    );
  });
});

describe('store failure', () => {
  it('stops serving when a write fails, so memory never runs ahead of the store', async () => {
    const store = new MemoryStore();
    let failures = 0;
    const engine = await startEngine({ store, onError: () => undefined, onStoreFailure: () => failures++ });
    const connection = await Connection.connect({ address: engine.address });
    try {
      store.appendEvents = async () => {
        throw new Error('disk full');
      };
      const svc = connection.workflowService;
      await expect(
        svc.startWorkflowExecution({ namespace: 'default', workflowId: 'x', workflowType: { name: 'x' }, taskQueue: { name: 'q' }, requestId: 'r' }),
      ).rejects.toThrow();
      expect(failures).toBe(1);
      await expect(connection.withDeadline(Date.now() + 1000, () => svc.getSystemInfo({}))).rejects.toThrow();
    } finally {
      await connection.close();
      await engine.stop();
    }
  });
});
