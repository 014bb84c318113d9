/**
 * The whole service in one process, as `npm start` runs it: PostgreSQL (embedded under DATA_DIR,
 * or DATABASE_URL), the Temporal engine (the project's engine/ in-process, or TEMPORAL_ADDRESS),
 * the worker and the HTTP API. The same code path serves the embedded default and an external
 * cluster; SERVICES picks which of api/worker run here (docker-compose runs them apart).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { TokenCache } from '../api/http/tokenCache';
import type { Config } from '../api/config';
import { catchUpCalendar } from '../api/calendar/propagate';
import { warmConsoleBundle } from '../api/console/static';
import { ensureSettings } from '../api/hotline/repository';
import { Logger, redactUrl } from '../api/logger';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embeddedPostgres';
import { embeddedClusterDir, persistentSecret } from '../db/embeddedLocation';
import { migrate } from '../db/migrate';
import { trackConnections } from '../db/poolShutdown';
import { DemoPasswords, DemoTokens, demoPasswords, demoTokens, seedDemo, seedDemoPasswords } from '../db/seed/demo';
import { hasActiveAdmin } from '../db/firstAdmin';
import { startEngine, type EngineClock, type EngineHandle } from '../engine';
import { PostgresStore } from '../engine/persistence/postgresStore';
import { startEngineThread } from './engineThread';
import { AesGcmPayloadCodec } from '../temporal/payloadCodec';
import { loadPayloadKeys } from '../temporal/payloadKeys';
import { createWorker, payloadConverterPath } from '../worker/createWorker';
import { outboxGrouping, workerTuning } from '../worker/tuning';
import { createMetrics, type Metrics } from '../ops/metrics';
import { clusterConnectionOptions } from '../temporal/connection';
import { requestIdInterceptor } from '../temporal/requestIdInterceptor';
import { installTemporalRuntime } from '../temporal/runtime';

export interface RunningService {
  /** The API's base URL, when the API runs here. */
  url?: string;
  /** The Temporal address in use. */
  temporalAddress: string;
  /** Demo tokens when the demo directory is in use. */
  tokens?: DemoTokens;
  /** The demo users' console sign-ins when the demo directory is in use. */
  passwords?: DemoPasswords;
  /** No active administrator exists yet (`npm run create-admin` makes one). */
  needsAdmin: boolean;
  /** Stops everything started, in reverse order. */
  stop(): Promise<void>;
}

/** Written by `npm run build` beside the compiled scripts (dist/workflow-bundle.js). */
const prebuiltWorkflowBundle = path.join(__dirname, '..', 'workflow-bundle.js');

/**
 * METRICS_PORT: GET /metrics without a token (keep the port on the deployment's private network),
 * and /livez, /readyz for a process without the API (the worker container's healthcheck: its
 * database answers and its worker runs).
 */
function listenForMetrics(metrics: Metrics, host: string, port: number, ready: () => Promise<boolean>): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/livez' || req.url === '/readyz')) {
      const check = req.url === '/livez' ? Promise.resolve(true) : ready().catch(() => false);
      void check.then((ok) => res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok })));
      return;
    }
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`METRICS_PORT: cannot listen on ${host}:${port} (${error.message})`)));
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Where the sandbox clock starts: SANDBOX_START (or now) the first time; after a restart never
 * before the last recorded work-order event, so the clock does not run backwards.
 */
async function sandboxStart(pool: Pool, configured: string | undefined): Promise<Date> {
  const start = configured ? new Date(configured) : new Date();
  const { rows } = await pool.query<{ last: Date | null }>('SELECT max(at) AS last FROM work_order_events');
  const last = rows[0]?.last;
  return last && last.getTime() > start.getTime() ? last : start;
}

/** The start's error when the in-process engine cannot listen (its port is taken). */
function enginePortError(port: number, error: Error): Error {
  return new Error(`ENGINE_PORT: the engine cannot listen on port ${port} (${error.message}); is another instance running? Set ENGINE_PORT=0 for any free port`);
}

/**
 * Starts the service.
 *
 * @throws when a dependency cannot start; whatever started is stopped again first
 */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
    stops.length = 0;
  };
  try {
    const dataDir = path.resolve(config.DATA_DIR);
    await mkdir(dataDir, { recursive: true });

    // ---- PostgreSQL ----
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const password = await persistentSecret(path.join(dataDir, 'postgres-password'), () => randomBytes(24).toString('hex'));
      const location = await embeddedClusterDir(dataDir);
      if (location.relocated) logger.warn({ clusterDir: location.dir }, 'DATA_DIR is inside a folder user postgres cannot enter: the embedded PostgreSQL keeps its cluster here');
      const cluster: EmbeddedPostgres = await startEmbeddedPostgres({
        dataDir: location.dir,
        port: config.EMBEDDED_PG_PORT,
        password,
        onLog: (text) => logger.debug({ postgres: text.trim() }, 'postgres'),
      });
      stops.push(async () => {
        await cluster.stop();
        logger.info('PostgreSQL stopped');
      });
      await cluster.ensureDatabase('hotline');
      databaseUrl = cluster.url('hotline');
      logger.info({ port: cluster.port, dataDir: location.dir }, 'embedded PostgreSQL running');
    }
    const applied = await migrate(databaseUrl);
    logger.info({ database: redactUrl(databaseUrl), applied }, 'database migrated');
    const pool = new Pool({ connectionString: databaseUrl, max: 20, application_name: 'hotline' });
    // An idle client losing its connection is not fatal: the pool replaces it.
    pool.on('error', (error: Error & { code?: string }) =>
      logger.warn({ code: error.code, error: error.message }, 'idle database connection lost'),
    );
    // Every connection closed before PostgreSQL stops (pool.end() alone does not wait for that).
    const connections = trackConnections(pool);
    stops.push(() => connections.end());
    await ensureSettings(pool, config.HOTLINE_PROFILE);

    let tokens: DemoTokens | undefined;
    let passwords: DemoPasswords | undefined;
    // Demo data only where asked for: sandbox mode, or SEED_DEMO=1 (issue 15: a production
    // install must not get the demo units and their well-known admin).
    if (config.SEED_DEMO ?? config.SANDBOX) {
      const secret = await persistentSecret(path.join(dataDir, 'demo-secret'), () => randomBytes(32).toString('hex'));
      if (await seedDemo(pool, secret)) logger.info('seeded the demo directory (开封市, 59 units)');
      tokens = demoTokens(secret);
      const passwordsSet = await seedDemoPasswords(pool, secret);
      if (passwordsSet) logger.info({ users: passwordsSet }, 'set the demo users\' console passwords');
      passwords = demoPasswords(secret);
    }

    // ---- Temporal ----
    // Caller data is encrypted before it reaches Temporal (client and worker alike).
    const payloadKeys = await loadPayloadKeys({ keys: config.PAYLOAD_KEYS, file: config.PAYLOAD_KEY_FILE, defaultFile: path.join(dataDir, 'payload-keys') });
    if (payloadKeys.generatedIn) logger.warn({ file: payloadKeys.generatedIn }, 'generated a payload encryption key; every process of this installation needs the same key file (README: key rotation)');
    const codec = new AesGcmPayloadCodec(payloadKeys.ring);
    // The client decodes the state in every update answer: the same converter as the worker's
    // (native UTF-8 coding, workflows/payloadConverter.ts), so the main thread spends less on it.
    const dataConverter = { payloadCodecs: [codec], payloadConverterPath };

    // The in-process engine's clock (null against a cluster): the sandbox's manual clock is what
    // the API, the activities and the metrics tell time by.
    let engineClock: Pick<EngineClock, 'now' | 'advanceTo'> | null = null;
    // A cluster's address, or the embedded engine's once it listens (below).
    let temporalAddress = config.TEMPORAL_ADDRESS ?? '';
    // The project's own engine, in this process (in its own thread or on this one): loopback gRPC.
    const embedded = !config.TEMPORAL_ADDRESS;
    const clockOption = embedded && config.SANDBOX ? { kind: 'manual' as const, startAt: await sandboxStart(pool, config.SANDBOX_START) } : ('real' as const);
    /** The embedded engine in a thread of its own (the default, scripts/engineThread.ts). */
    const startInThread = () =>
      startEngineThread({
        databaseUrl,
        port: config.ENGINE_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        clock: clockOption,
        logger,
        onFatal: (message) => {
          logger.fatal({ error: message }, 'engine thread stopped; stopping');
          process.kill(process.pid, 'SIGTERM');
        },
      }).catch((error: Error & { stage?: string }) => {
        if (error.stage !== 'listen') throw error;
        throw enginePortError(config.ENGINE_PORT, error);
      });
    /** The embedded engine on this thread (ENGINE_THREAD=0). */
    const startHere = async (): Promise<EngineHandle> => {
      // The engine keeps its state in the same database (schema `engine`), so work orders and
      // their timers survive a restart; one engine per database (it refuses a second).
      const store = await PostgresStore.open({
        databaseUrl,
        onFatal: (error) => {
          logger.fatal({ error: error.message }, 'engine lost its database lock; stopping');
          process.kill(process.pid, 'SIGTERM');
        },
      });
      stops.push(() => store.close());
      return startEngine({
        port: config.ENGINE_PORT,
        clock: clockOption,
        namespace: config.TEMPORAL_NAMESPACE,
        store,
        onError: (where, error) => logger.error({ err: error, where }, 'engine error'),
      }).catch((error: Error) => {
        throw enginePortError(config.ENGINE_PORT, error);
      });
    };
    if (embedded) {
      const inThread = config.ENGINE_THREAD ?? true;
      const engine = inThread ? await startInThread() : await startHere();
      stops.push(async () => {
        await engine.stop();
        logger.info('engine stopped');
      });
      temporalAddress = engine.address;
      engineClock = engine.clock;
      logger.info({ address: engine.address, clock: config.SANDBOX ? 'manual' : 'real', thread: inThread }, 'engine running');
    }
    const now = engineClock ? () => new Date(engineClock!.now()) : () => new Date();

    // A cluster may need TLS, mTLS or an API key (Temporal's own env vars); the engine is loopback.
    const connectOptions = embedded ? { address: temporalAddress } : clusterConnectionOptions(temporalAddress);
    // The SDK's logs through our logger, its metrics beside ours (once per process).
    const runtime = await installTemporalRuntime(logger);
    const metrics = createMetrics({ pool, now, sdkMetricsUrl: runtime.sdkMetricsUrl });
    // The worker and the API start side by side (issue 9: loading the workflow bundle into the
    // worker's thread and connecting the API are independent); the API answers while the worker
    // is still starting, and its /readyz says so. Their stops are pushed in a fixed order below.
    let runningWorker: Worker | undefined;
    const localWorker = config.SERVICES.includes('worker') ? () => runningWorker?.getState() === 'RUNNING' : undefined;
    const workerStops: (() => Promise<unknown>)[] = [];
    const apiStops: (() => Promise<unknown>)[] = [];

    // ---- worker ----
    const startWorker = async () => {
      if (!config.SERVICES.includes('worker')) return;
      // In-process engine on loopback: gzip (the SDK core's default) only costs CPU at both ends
      // (core deflates, the engine inflates); a cluster keeps it.
      const connection = await NativeConnection.connect(embedded ? { ...connectOptions, grpcCompression: { codec: 'none' } } : connectOptions);
      workerStops.push(() => connection.close());
      const worker: Worker = await createWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        dataConverter,
        // The compiled build (npm run build) ships the workflow code pre-bundled: no webpack at start.
        ...(existsSync(prebuiltWorkflowBundle) ? { workflowBundle: { code: readFileSync(prebuiltWorkflowBundle, 'utf8') } } : {}),
        activities: createActivities({ pool, logger, outboxGrouping: outboxGrouping(config), ...(engineClock ? { now } : {}) }),
        tuning: workerTuning(config),
      });
      const run = worker.run();
      runningWorker = worker;
      run.catch((error: unknown) => logger.error({ err: error }, 'worker stopped'));
      workerStops.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await run.catch(() => undefined);
        logger.info('worker stopped');
      });
      logger.info('worker running');
    };

    // ---- API ----
    let url: string | undefined;
    const startApi = async () => {
      if (!config.SERVICES.includes('api')) return;
      const connection = await Connection.connect(connectOptions);
      apiStops.push(() => connection.close());
      const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter, interceptors: { workflow: [requestIdInterceptor(logger)] } });
      const tokenCache = new TokenCache(pool, { size: config.TOKEN_CACHE_SIZE, ttlMs: config.TOKEN_CACHE_TTL_MS }, (error) =>
        logger.warn({ error: error.message }, 'token cache not listening for changes: every request reads the database until it is'),
      );
      await tokenCache.start();
      apiStops.push(() => tokenCache.close());
      const app = createApp({ temporal, pool, clock: engineClock, tokens: tokenCache, config: { sandbox: config.SANDBOX, bodyLimit: config.BODY_LIMIT, calendarWarnDays: config.CALENDAR_WARN_DAYS, trustProxy: config.TRUST_PROXY }, logger, codec: { codec, corsOrigins: config.CODEC_CORS_ORIGINS }, ops: { localWorker, metrics, namespace: config.TEMPORAL_NAMESPACE } });
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(config.PORT, config.HOST, (error?: Error) =>
          error ? reject(new Error(`PORT: the API cannot listen on ${config.HOST}:${config.PORT} (${error.message})`)) : resolve(s),
        );
      });
      apiStops.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => {
              logger.info('API stopped');
              resolve();
            });
            server.closeIdleConnections();
          }),
      );
      // The web console's bundle, before anyone opens it (api/console/bundle.ts).
      warmConsoleBundle({ onBundleError: (error) => logger.error({ err: error }, 'cannot bundle the web console; serving its source modules') });
      // Work orders still provisional on a year that is now official (a library update, or an
      // import that could not reach them) learn it now, in the background.
      void catchUpCalendar({ temporal, pool, now: now() })
        .then((reports) => {
          for (const [year, r] of Object.entries(reports)) {
            logger.info({ year, updated: r.updated.length, confirmed: r.confirmed.length, failed: r.failed.length }, 'calendar caught up');
          }
        })
        .catch((error: Error) => logger.warn({ error: error.message }, 'calendar catch-up failed'));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
      // Written (0600) in every mode so the first admin can start; printed only in sandbox.
      if (tokens) {
        await writeFile(path.join(dataDir, 'demo-tokens.json'), `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
        await chmod(path.join(dataDir, 'demo-tokens.json'), 0o600);
      }
      if (passwords) {
        await writeFile(path.join(dataDir, 'demo-passwords.json'), `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
        await chmod(path.join(dataDir, 'demo-passwords.json'), 0o600);
      }
    };
    const started = await Promise.allSettled([startWorker(), startApi()]);
    // Stopped in reverse: the API first, then the worker, then the engine and PostgreSQL.
    stops.push(...workerStops, ...apiStops);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    if (config.METRICS_PORT !== undefined) {
      const ready = async () => (await pool.query('SELECT 1'), localWorker ? localWorker() : true);
      const metricsServer = await listenForMetrics(metrics, config.HOST, config.METRICS_PORT, ready);
      stops.push(() => new Promise<void>((resolve) => metricsServer.close(() => resolve())));
      logger.info({ port: (metricsServer.address() as AddressInfo).port }, 'metrics listening');
    }
    const needsAdmin = !(await hasActiveAdmin(pool));
    return { url, temporalAddress, tokens, passwords, needsAdmin, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
