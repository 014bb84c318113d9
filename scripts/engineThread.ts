/**
 * The embedded engine in a thread of its own (`ENGINE_THREAD=1`, issue 9). On the main thread the
 * engine shares one core with the API, both gRPC ends, the SDK worker's Node side and the local
 * activities, and that thread was the one that was full while the process used ≈ 1.6 of 2 cores;
 * in its own thread creations and actions ran 13–30 % faster (README, Scale: tenth batch). The
 * API and the worker reach it as before, over loopback gRPC: nothing else changes.
 *
 * The real clock only: the sandbox's manual clock is moved by the API, so sandbox mode keeps the
 * engine on the main thread (api/config.ts refuses both together).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startEngine } from '../engine';
import { PostgresStore } from '../engine/persistence/postgresStore';

/** What the main thread gives the thread. */
interface EngineThreadData {
  kind: 'hotline-engine-thread';
  databaseUrl: string;
  port: number;
  namespace: string;
}

/** What the thread tells the main thread. */
type EngineThreadMessage =
  | { type: 'ready'; address: string }
  | { type: 'failed'; stage: 'store' | 'listen'; message: string }
  | { type: 'error'; where: string; message: string }
  | { type: 'fatal'; message: string }
  | { type: 'stopped' };

export interface EngineThreadLogger {
  error(obj: object, msg?: string): void;
}

export interface EngineThreadHandle {
  /** `host:port` of the engine's gRPC frontend. */
  address: string;
  /** Stops the engine, releases its database lock, and ends the thread. */
  stop(): Promise<void>;
}

/**
 * Starts the engine (its PostgreSQL store and gRPC frontend) in a new thread; resolves once it
 * listens.
 *
 * @param onFatal - the engine lost its database lock, or its thread died: the service must stop
 * @throws Error when the engine could not start: `stage` `'listen'` (its port is taken) or
 *   `'store'` (its database could not be opened or locked)
 */
export async function startEngineThread(options: {
  databaseUrl: string;
  port: number;
  namespace: string;
  logger: EngineThreadLogger;
  onFatal: (message: string) => void;
}): Promise<EngineThreadHandle> {
  const data: EngineThreadData = { kind: 'hotline-engine-thread', databaseUrl: options.databaseUrl, port: options.port, namespace: options.namespace };
  // Run from TypeScript (npm start) or from dist/ (the image): the thread loads this same file.
  const load = __filename.endsWith('.ts')
    ? `require('ts-node/register/transpile-only'); require(${JSON.stringify(__filename)});`
    : `require(${JSON.stringify(__filename)});`;
  const thread = new Worker(load, { eval: true, workerData: data });
  let stopping = false;
  let exited = false;
  // Before it listens, a failure is the start's own (rejected); after, it stops the service.
  let listening = false;
  let onStopped: (() => void) | undefined;
  const address = await new Promise<string>((resolve, reject) => {
    thread.on('message', (m: EngineThreadMessage) => {
      if (m.type === 'ready') {
        listening = true;
        resolve(m.address);
      } else if (m.type === 'failed') reject(Object.assign(new Error(m.message), { stage: m.stage }));
      else if (m.type === 'error') options.logger.error({ where: m.where, err: m.message }, 'engine error');
      else if (m.type === 'fatal') options.onFatal(m.message);
      else if (m.type === 'stopped') onStopped?.();
    });
    thread.on('error', (error) => {
      reject(error);
      if (listening && !stopping) options.onFatal(`engine thread failed: ${error.message}`);
    });
    thread.on('exit', (code) => {
      exited = true;
      reject(new Error(`engine thread exited (${code}) before it listened`));
      if (listening && !stopping) options.onFatal(`engine thread exited (${code})`);
      onStopped?.();
    });
  });
  return {
    address,
    async stop() {
      stopping = true;
      // A thread that already died (its fatal error is logged) has nothing left to stop.
      if (exited) return;
      await new Promise<void>((resolve) => {
        onStopped = resolve;
        thread.postMessage('stop');
      });
      await thread.terminate();
    },
  };
}

/** In the thread: open the store, start the engine, answer `stop`. */
async function runEngine(data: EngineThreadData): Promise<void> {
  const tell = (m: EngineThreadMessage) => parentPort!.postMessage(m);
  let store;
  try {
    store = await PostgresStore.open({ databaseUrl: data.databaseUrl, onFatal: (error) => tell({ type: 'fatal', message: error.message }) });
  } catch (error) {
    tell({ type: 'failed', stage: 'store', message: (error as Error).message });
    return;
  }
  const engine = await startEngine({
    port: data.port,
    clock: 'real',
    namespace: data.namespace,
    store,
    onError: (where, error) => tell({ type: 'error', where, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  }).catch(async (error: Error) => {
    tell({ type: 'failed', stage: 'listen', message: error.message });
    await store.close();
    return undefined;
  });
  if (!engine) return;
  parentPort!.on('message', (m) => {
    if (m !== 'stop') return;
    void (async () => {
      try {
        await engine.stop();
        await store.close();
      } catch (error) {
        tell({ type: 'error', where: 'stop', message: (error as Error).message });
      } finally {
        // The main thread waits for this to go on stopping (the worker, then PostgreSQL).
        tell({ type: 'stopped' });
      }
    })();
  });
  tell({ type: 'ready', address: engine.address });
}

if (!isMainThread && (workerData as EngineThreadData | undefined)?.kind === 'hotline-engine-thread') {
  void runEngine(workerData as EngineThreadData);
}
