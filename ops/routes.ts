/**
 * `/livez`, `/readyz` and `/metrics` on the API (issue 15), documented in the OpenAPI document.
 * `/metrics` needs an administrator's bearer token here; a Prometheus inside the deployment's
 * network scrapes it without one on METRICS_PORT instead (scripts/service.ts).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Express } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { authenticate } from '../api/http/auth';
import { HttpError } from '../api/http/errors';
import type { Metrics } from './metrics';
import { registerWebhooks } from './webhookDocs';
import { checkReadiness, type ReadinessOptions } from './readiness';

const checkSchema = z.object({ ok: z.boolean(), detail: z.string().optional() });
const readinessSchema = z.object({
  ready: z.boolean(),
  checks: z.record(z.string(), checkSchema).describe('database, temporal, worker, and any further check (e.g. calendar)'),
});

/** Mounts the three endpoints and registers them in the OpenAPI document. */
export function mountOps(app: Express, registry: OpenAPIRegistry, deps: { pool: Pool; metrics: Metrics; readiness: ReadinessOptions }): void {
  app.get('/livez', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(deps.readiness);
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });
  const auth = authenticate(deps.pool);
  app.get('/metrics', auth, async (_req, res) => {
    if ((res.locals.user as { role?: string }).role !== 'admin') throw new HttpError(403, 'FORBIDDEN', '仅管理员可读取监控指标');
    res.type(deps.metrics.contentType).send(await deps.metrics.render());
  });

  registerWebhooks(registry);
  registry.registerPath({
    method: 'get',
    path: '/livez',
    tags: ['operations'],
    summary: 'Liveness: the process answers (no dependency checked)',
    responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } } } },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    tags: ['operations'],
    summary: 'Readiness: database, Temporal, a worker polling the task queue (and the calendar’s coverage when checked)',
    responses: {
      200: { description: 'ready', content: { 'application/json': { schema: readinessSchema } } },
      503: { description: 'not ready: the failing checks say why', content: { 'application/json': { schema: readinessSchema } } },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['operations'],
    summary: 'Prometheus metrics (administrators; or unauthenticated on METRICS_PORT)',
    security: [{ bearerAuth: [] }],
    responses: {
      200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
      401: { description: 'missing or unknown bearer token' },
      403: { description: 'not an administrator' },
    },
  });
}
