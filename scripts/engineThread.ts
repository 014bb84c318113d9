/**
 * The embedded engine in a thread of its own: the default (`ENGINE_THREAD=0` keeps it on the main
 * thread; issue 9). On the main thread the engine shares one core with the API, both gRPC ends,
 * the SDK worker's Node side and the local activities, and that thread was the one that was full
 * while the process used ≈ 1.6 of 2 cores; in its own thread creations and actions ran 13–30 %
 * faster (README, Scale: tenth batch). The API and the worker reach it as before, over loopback
 * gRPC: nothing else changes.
 *
 * The sandbox's manual clock lives in the thread with the engine's timers: the thread publishes
 * its offset in shared memory, so the main thread tells the same time without a message, and
 * `advanceTo` (POST /admin/clock/advance) is a message the thread answers when it has stepped.
 */
import { writeFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readSharedClock, sharedClockOffset, startEngine, type ClockOption, type EngineClock } from '../engine';
import { PostgresStore } from '../engine/persistence/postgresStore';
import type { StepResult } from '../engine/timers/manualStepper';

/** What the main thread gives the thread. */
interface EngineThreadData {
  kind: 'hotline-engine-thread';
  databaseUrl: string;
  port: number;
  namespace: string;
  /** The sandbox's manual clock: where it starts (epoch ms) and where its offset is published. */
  manualClock?: { startAt: number; offset: SharedArrayBuffer };
}

/** What the main thread asks of the thread. */
type EngineThreadRequest = 'stop' | { type: 'advanceTo'; id: number; ms: number; options?: { settleTimeoutMs?: number } };

/** What the thread tells the main thread. */
type EngineThreadMessage =
  | { type: 'ready'; address: string }
  | { type: 'advanced'; id: number; result?: StepResult; error?: string }
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
  /** The engine's clock, read here; `advanceTo` only with the manual clock. */
  clock: Pick<EngineClock, 'now' | 'advanceTo'>;
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
  /** `'real'` (default), or the sandbox's manual clock starting at `startAt`. */
  clock?: 'real' | { kind: 'manual'; startAt: Date };
  logger: EngineThreadLogger;
  onFatal: (message: string) => void;
}): Promise<EngineThreadHandle> {
  const manual = options.clock && options.clock !== 'real' ? { startAt: options.clock.startAt.getTime(), offset: sharedClockOffset() } : undefined;
  const data: EngineThreadData = {
    kind: 'hotline-engine-thread',
    databaseUrl: options.databaseUrl,
    port: options.port,
    namespace: options.namespace,
    ...(manual ? { manualClock: manual } : {}),
  };
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
  // advanceTo calls waiting for the thread's answer, by id; a thread that ends fails them.
  const stepping = new Map<number, { resolve(r: StepResult): void; reject(e: Error): void }>();
  let nextStep = 0;
  const failStepping = (why: string) => {
    for (const s of stepping.values()) s.reject(new Error(why));
    stepping.clear();
  };
  const address = await new Promise<string>((resolve, reject) => {
    thread.on('message', (m: EngineThreadMessage) => {
      if (m.type === 'ready') {
        listening = true;
        resolve(m.address);
      } else if (m.type === 'failed') reject(Object.assign(new Error(m.message), { stage: m.stage }));
      else if (m.type === 'error') options.logger.error({ where: m.where, err: m.message }, 'engine error');
      else if (m.type === 'fatal') options.onFatal(m.message);
      else if (m.type === 'stopped') onStopped?.();
      else if (m.type === 'advanced') {
        const waiting = stepping.get(m.id);
        stepping.delete(m.id);
        if (m.result) waiting?.resolve(m.result);
        else waiting?.reject(new Error(m.error ?? 'the engine could not move its clock'));
      }
    });
    thread.on('error', (error) => {
      reject(error);
      if (listening && !stopping) options.onFatal(`engine thread failed: ${error.message}`);
    });
    thread.on('exit', (code) => {
      exited = true;
      failStepping(`engine thread exited (${code})`);
      reject(new Error(`engine thread exited (${code}) before it listened`));
      if (listening && !stopping) options.onFatal(`engine thread exited (${code})`);
      onStopped?.();
    });
  });
  const now = manual ? readSharedClock(manual.offset) : () => Date.now();
  const advanceTo = (ms: number, options?: { settleTimeoutMs?: number }) =>
    new Promise<StepResult>((resolve, reject) => {
      if (exited) return reject(new Error('engine thread has stopped'));
      const id = nextStep++;
      stepping.set(id, { resolve, reject });
      const request: EngineThreadRequest = { type: 'advanceTo', id, ms, options };
      thread.postMessage(request);
    });
  return {
    address,
    clock: manual ? { now, advanceTo } : { now },
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
  // Its own name in `top -H`, `ps -L` and /proc (the benches' CPU per thread): Linux lets a
  // thread rename itself; elsewhere it stays a `node` thread.
  try {
    writeFileSync('/proc/thread-self/comm', 'hotline-engine');
  } catch {
    // not Linux
  }
  let store;
  try {
    store = await PostgresStore.open({ databaseUrl: data.databaseUrl, onFatal: (error) => tell({ type: 'fatal', message: error.message }) });
  } catch (error) {
    tell({ type: 'failed', stage: 'store', message: (error as Error).message });
    return;
  }
  const clock: ClockOption = data.manualClock ? { kind: 'manual', startAt: new Date(data.manualClock.startAt), sharedOffset: data.manualClock.offset } : 'real';
  const engine = await startEngine({
    port: data.port,
    clock,
    namespace: data.namespace,
    store,
    onError: (where, error) => tell({ type: 'error', where, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  }).catch(async (error: Error) => {
    tell({ type: 'failed', stage: 'listen', message: error.message });
    await store.close();
    return undefined;
  });
  if (!engine) return;
  parentPort!.on('message', (m: EngineThreadRequest) => {
    if (m !== 'stop') {
      if (m.type !== 'advanceTo') return;
      const step = engine.clock.advanceTo?.(m.ms, m.options);
      if (!step) return tell({ type: 'advanced', id: m.id, error: 'the engine runs the real clock' });
      step.then(
        (result) => tell({ type: 'advanced', id: m.id, result }),
        (error: Error) => tell({ type: 'advanced', id: m.id, error: error.message }),
      );
      return;
    }
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
