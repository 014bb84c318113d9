import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { startEngine, type ClockOption, type EngineHandle } from '../../engine';

/** One engine per test file, with a client and a native connection for workers. */
export interface Harness {
  engine: EngineHandle;
  connection: Connection;
  client: Client;
  native: NativeConnection;
  /** Creates a worker on the engine (workflows from test/engine/workflows/<file>). */
  worker(opts: Omit<WorkerOptions, 'connection'>): Promise<Worker>;
  /** Creates a worker and runs it until {@link Harness.close}. */
  runWorker(opts: Omit<WorkerOptions, 'connection'>): Promise<Worker>;
  /** Shuts down the running workers, then the connections and the engine. */
  close(): Promise<void>;
}

let seq = 0;
/** A unique id for workflow ids and task queues within one engine. */
export const uid = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++seq}`;

export async function startHarness(
  clock: ClockOption = 'real',
  extra: { sticky?: boolean; closedRunCacheSize?: number; residentTailRuns?: number } = {},
): Promise<Harness> {
  const engine = await startEngine({ clock, sticky: extra.sticky, closedRunCacheSize: extra.closedRunCacheSize, residentTailRuns: extra.residentTailRuns });
  const connection = await Connection.connect({ address: engine.address });
  const native = await NativeConnection.connect({ address: engine.address });
  const client = new Client({ connection });
  const running: Array<{ worker: Worker; done: Promise<void> }> = [];
  return {
    engine,
    connection,
    client,
    native,
    worker: (opts) => Worker.create({ connection: native, ...opts }),
    async runWorker(opts) {
      const worker = await Worker.create({ connection: native, ...opts });
      running.push({ worker, done: worker.run() });
      return worker;
    },
    async close() {
      for (const { worker } of running) worker.shutdown();
      await Promise.all(running.map((r) => r.done));
      await native.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await engine.stop();
    },
  };
}
