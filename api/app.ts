/**
 * The HTTP API as an express app, built from its dependencies (no listening here: api/main.ts
 * and scripts/start.ts listen; tests use supertest on the app).
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import express, { Express } from 'express';
import type { Pool } from 'pg';
import swaggerUi from 'swagger-ui-express';
import { SandboxClock, adminRoutes } from './admin/router';
import { createMetrics, type Metrics } from '../ops/metrics';
import type { ReadinessOptions } from '../ops/readiness';
import { mountOps } from '../ops/routes';
import { authenticateBearerOrSession } from './auth/middleware';
import type { TokenLookup } from './http/auth';
import { authRoutes, signInRouter } from './auth/router';
import { consoleRouter } from './console/static';
import { calendarRoutes } from './calendar/router';
import { startCalendarWatch } from './calendar/status';
import { codecRouter } from './codec/router';
import { requestId } from './http/requestId';
import { errorHandler, unknownRoute } from './http/errors';
import { mountRoutes } from './http/route';
import type { Logger } from './logger';
import { notificationRoutes } from './notifications/router';
import { createRegistry, openApiDocument } from './openapi';
import { reportRoutes } from './reports/router';
import { callerHistoryRoutes } from './tickets/callerHistory';
import { extensionLimitRoutes } from './tickets/extensionLimit';
import { ticketRoutes } from './tickets/router';
import { TicketService } from './tickets/service';
import { unitRoutes } from './units/router';
import { unitSearchRoutes } from './units/search';

/** The engine's clock as engine/ exposes it; `advance` exists on the manual (sandbox) clock. */
export interface ClockHandle {
  now(): Date | number;
  advance?(ms: number): unknown;
  /** Steps through due timers to `ms` (engine/timers/manualStepper.ts). */
  advanceTo?(ms: number): Promise<{ now: number; steps: number; settled: boolean }>;
}

export interface AppDeps {
  temporal: Client;
  pool: Pool;
  /** The in-process engine's clock, or null against an external cluster. */
  clock: ClockHandle | null;
  config: {
    sandbox: boolean;
    bodyLimit?: string;
    workflowTimeoutMs?: number;
    /** Days before the last official calendar day from which the calendar is degraded (default 60). */
    calendarWarnDays?: number;
    /** express's `trust proxy` (TRUST_PROXY): whose X-Forwarded-For names the client (default: nobody's). */
    trustProxy?: boolean | number | string;
  };
  logger: Logger;
  /** Callers of bearer tokens kept in memory (api/http/tokenCache.ts); absent: read each time. */
  tokens?: TokenLookup;
  /** The payload codec behind `POST /codec/{encode,decode}` (absent: no codec endpoint). */
  codec?: { codec: PayloadCodec; corsOrigins: string[] };
  /** Readiness and metrics inputs: the local worker's state, the SDK's metrics, further checks. */
  ops?: Pick<ReadinessOptions, 'localWorker' | 'extraChecks' | 'namespace'> & { sdkMetricsUrl?: string; metrics?: Metrics };
}

/**
 * Builds the app.
 *
 * @example
 * const app = createApp({ temporal, pool, clock: engine.clock, config: { sandbox: true }, logger });
 * app.listen(3000);
 */
export function createApp(deps: AppDeps): Express {
  const { pool, logger } = deps;
  const clock = deps.clock;
  const now = (): Date => {
    const t = clock ? clock.now() : Date.now();
    return t instanceof Date ? t : new Date(t);
  };
  const advanceTo = clock?.advanceTo?.bind(clock);
  const sandboxClock: SandboxClock | null = deps.config.sandbox && advanceTo ? { now, advanceTo: (to: Date) => advanceTo(to.getTime()) } : null;

  // Daily warning and admin notification while the calendar is about to run out (issue 10).
  const calendarWarnDays = deps.config.calendarWarnDays ?? 60;
  const calendarWatch = startCalendarWatch({ pool, logger, now, warnDays: calendarWarnDays });
  const recheckCalendar = () => void calendarWatch.check().catch(() => undefined);

  const app = express();
  app.disable('x-powered-by');
  // The client's address (sign-in limits per address) from the socket, unless a proxy is trusted.
  app.set('trust proxy', deps.config.trustProxy ?? false);
  app.set('query parser', 'simple');
  app.use(requestId);
  const metrics = deps.ops?.metrics ?? createMetrics({ pool, now, sdkMetricsUrl: deps.ops?.sdkMetricsUrl });
  app.use(metrics.httpMiddleware);
  // One line per request; the path only (queries may carry a searched phone number).
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          userId: (res.locals.user as { id?: string } | undefined)?.id,
          requestId: res.locals.requestId as string | undefined,
        },
        'request',
      );
    });
    next();
  });
  // Before the API's JSON limit: histories decoded for the web UI are larger than any API body.
  if (deps.codec) app.use('/codec', codecRouter({ pool, tokens: deps.tokens, ...deps.codec }));

  const registry = createRegistry();
  const signIn = signInRouter(pool, registry);
  const api = express.Router();
  // Who is asking comes first: no body is read (or inflated) for an unknown caller.
  // Bearer tokens (integrations) or the console's session cookie with its CSRF token.
  api.use(authenticateBearerOrSession(pool, deps.tokens));
  api.use(express.json({ limit: deps.config.bodyLimit ?? '100kb' }));
  const service = new TicketService({ temporal: deps.temporal, pool, now, workflowTimeoutMs: deps.config.workflowTimeoutMs });
  mountRoutes(api, registry, [
    ...ticketRoutes({ service, pool, now }),
    ...unitRoutes({ pool }),
    ...notificationRoutes({ pool }),
    ...reportRoutes({ pool, now }),
    ...adminRoutes({ pool, clock: sandboxClock, now, afterAdvance: recheckCalendar }),
    ...authRoutes({ pool }),
    ...unitSearchRoutes({ pool }),
    ...callerHistoryRoutes({ pool }),
    ...extensionLimitRoutes({ service, pool }),
    ...calendarRoutes({ pool, temporal: deps.temporal, now, warnDays: calendarWarnDays, onImported: recheckCalendar }),
  ]);
  mountOps(app, registry, { pool, metrics, readiness: {
      pool,
      temporal: deps.temporal,
      ...deps.ops,
      extraChecks: {
        // A calendar near its edge is reported, not unready: work orders are still taken, with
        // provisional deadlines (issue 10); taking the service out of rotation would stop intake.
        calendar: async () => {
          const calendar = await calendarWatch.check();
          return { ok: true, detail: `${calendar.status}: ${calendar.message}` };
        },
        ...deps.ops?.extraChecks,
      },
    },
  });
  const document = openApiDocument(registry);

  app.get('/health', async (_req, res) => {
    // The working calendar running out is "degraded", not down: work orders are still taken.
    const calendar = await calendarWatch.check();
    res.json({ ok: true, status: calendar.status, sandbox: sandboxClock !== null, now: now().toISOString(), calendar });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: '12345 hotline API' }));
  // The web console (console/, served as is) and the one public call it needs: sign-in.
  app.use(consoleRouter({ onBundleError: (error) => logger.error({ err: error }, 'cannot bundle the web console; serving its source modules') }));
  app.use(signIn);
  app.use(api);
  app.use(unknownRoute);
  app.use(errorHandler(logger));
  return app;
}
