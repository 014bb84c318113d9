/**
 * The real service for API tests: embedded PostgreSQL (one per test file), the project's engine
 * in-process with a manual (sandbox) clock, the real worker with the real activities, and the
 * express app (use it with supertest; nothing listens).
 *
 * @example
 * let t: TestApp;
 * beforeAll(async () => { t = await startTestApp(); }, 120_000);
 * afterAll(() => t?.stop());
 * await request(t.app).get('/tickets').set(t.auth('center')).expect(200);
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Express } from 'express';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { ensureSettings } from '../../api/hotline/repository';
import { createLogger } from '../../api/logger';
import { DemoPasswords, DemoTokens, demoPasswords, demoTokens, seedDemo, seedDemoPasswords } from '../../db/seed/demo';
import type { ProfileId } from '../../domain/profile';
import { startEngine, type EngineHandle } from '../../engine';
import { requestIdInterceptor } from '../../temporal/requestIdInterceptor';
import { AesGcmPayloadCodec } from '../../temporal/payloadCodec';
import { newPayloadKeyEntry, parsePayloadKeys } from '../../temporal/payloadKeys';
import { bundleWorkOrderWorkflows, createWorker } from '../../worker/createWorker';
import { startTestPostgres, type TestPostgres } from './postgres';
import { TokenCache } from '../../api/http/tokenCache';

export interface TestApp {
  app: Express;
  db: TestPostgres;
  tokens: DemoTokens;
  /** The demo users' console sign-ins (set only with `passwords: true`). */
  passwords: DemoPasswords;
  /** Every log line the app wrote (JSON strings). */
  logs: string[];
  engine?: EngineHandle;
  /** The app's own Temporal client (with the payload codec), for tests that talk to a workflow directly. */
  temporal: Client;
  /** A second app on the same database and engine, like a second API process. */
  anotherApp(): Express;
  /** `{ Authorization: 'Bearer …' }` for a demo role, or for the unit user of a unit id. */
  auth(who: 'center' | 'supervisor' | 'admin' | 'evaluator' | { unit: string }): Record<string, string>;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  /** Run the engine and the worker (default true). Without them only non-workflow calls work. */
  workflows?: boolean;
  /** Run the worker (default true); false: the engine alone, so workflows never progress. */
  worker?: boolean;
  /** The API's deadline for one workflow call (default the app's 30 s). */
  workflowTimeoutMs?: number;
  /** Sandbox mode: a manual engine clock and POST /admin/clock/advance (default true). */
  sandbox?: boolean;
  /** Where the manual clock starts; default Monday 2026-03-02 09:00 China time. */
  startAt?: Date;
  profile?: ProfileId;
  /** Give the demo users their console passwords (scrypt: a few seconds, so opt-in). */
  passwords?: boolean;
}

const secret = 'test-demo-secret';

/** Starts the whole stack; stop() releases everything. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const workflows = options.workflows ?? true;
  const sandbox = options.sandbox ?? true;
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const db = await startTestPostgres();
    stops.push(() => db.stop());
    await ensureSettings(db.pool, options.profile ?? 'kaifeng-001');
    await seedDemo(db.pool, secret);
    const tokens = demoTokens(secret);
    if (options.passwords) await seedDemoPasswords(db.pool, secret);
    const logs: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(line) });

    // Payloads are encrypted as in production (issue 15), with a key of this run.
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(newPayloadKeyEntry('test'), 'test key'));
    const dataConverter = { payloadCodecs: [codec] };
    let temporal: Client;
    let engine: EngineHandle | undefined;
    if (workflows) {
      const [started, bundle] = await Promise.all([
        startEngine({
          clock: sandbox ? { kind: 'manual', startAt: options.startAt ?? new Date('2026-03-02T01:00:00Z') } : 'real',
          onError: () => undefined,
        }),
        options.worker ?? true ? bundleWorkOrderWorkflows() : Promise.resolve(undefined),
      ]);
      engine = started;
      stops.push(() => started.stop());
      if (options.worker ?? true) {
        const native = await NativeConnection.connect({ address: started.address });
        stops.push(() => native.close());
        const worker: Worker = await createWorker({
          connection: native,
          workflowBundle: bundle,
          dataConverter,
          activities: createActivities({ pool: db.pool, now: () => new Date(started.clock.now()) }),
        });
        const running = worker.run();
        stops.push(async () => {
          worker.shutdown();
          await running.catch(() => undefined);
        });
      }
      const connection = await Connection.connect({ address: started.address });
      stops.push(() => connection.close());
      temporal = new Client({ connection, dataConverter, interceptors: { workflow: [requestIdInterceptor(logger)] } });
    } else {
      // A lazy client: nothing connects unless a workflow call is made.
      temporal = new Client();
    }
    // Each app keeps its callers in memory as the service does, and learns changes as it does.
    const makeApp = () => {
      const tokens = new TokenCache(db.pool, { size: 10_000, ttlMs: 60_000 });
      const listening = tokens.start();
      stops.push(() => tokens.close());
      return createApp({
        temporal,
        pool: db.pool,
        tokens: { lookup: async (token) => (await listening, tokens.lookup(token)), session: async (cookie) => (await listening, tokens.session(cookie)) },
        clock: engine ? engine.clock : null,
        config: { sandbox: sandbox && workflows, bodyLimit: '100kb', workflowTimeoutMs: options.workflowTimeoutMs },
        logger,
        codec: { codec, corsOrigins: ['http://localhost:8080'] },
      });
    };
    const app = makeApp();
    return {
      app,
      db,
      tokens,
      passwords: demoPasswords(secret),
      logs,
      engine,
      temporal,
      anotherApp: makeApp,
      auth: (who) => ({
        Authorization: `Bearer ${typeof who === 'string' ? tokens[who] : tokens.units[who.unit]}`,
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
