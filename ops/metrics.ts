/**
 * Prometheus metrics (prom-client) of the API process (issue 15): HTTP request counts and
 * latencies by route and status; work orders by stage, deadlines due in the next hour,
 * escalations fired and webhook notifications pending / failed (read from the database at each
 * scrape, so every API process reports the same installation-wide figures); and the Temporal
 * SDK's own worker metrics (its runtime's Prometheus exporter, temporal/runtime.ts), appended.
 */
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  pool: Pool;
  /** The service's clock (the sandbox clock in sandbox mode). */
  now: () => Date;
  /** The SDK runtime's Prometheus endpoint, when installed in this process. */
  sdkMetricsUrl?: string;
}

export interface Metrics {
  registry: Registry;
  /** Counts and times every HTTP request (mount first). */
  httpMiddleware: RequestHandler;
  /** The Prometheus text: ours, then the SDK's. */
  render(): Promise<string>;
  contentType: string;
}

/** Builds a registry for one app (one per app: tests run several in a process). */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'hotline_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'hotline_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const { pool, now } = options;
  new Gauge({
    name: 'hotline_work_orders',
    help: 'Work orders by stage (read model)',
    labelNames: ['stage'] as const,
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ stage: string; n: string }>('SELECT stage, count(*) AS n FROM work_orders GROUP BY stage');
      this.reset();
      for (const row of rows) this.set({ stage: row.stage }, Number(row.n));
    },
  });
  new Gauge({
    name: 'hotline_deadlines_due_next_hour',
    help: 'Open work orders whose next deadline falls within the next hour',
    registers: [registry],
    async collect() {
      const at = now();
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM work_orders
          WHERE stage NOT IN ('closed', 'withdrawn') AND next_deadline >= $1 AND next_deadline < $1::timestamptz + interval '1 hour'`,
        [at],
      );
      this.set(Number(rows[0].n));
    },
  });
  new Gauge({
    name: 'hotline_escalations_fired',
    help: 'Urges (催办) and escalations (督办) fired so far, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ type: string; n: string }>(
        `SELECT type, count(*) AS n FROM work_order_events WHERE type IN ('urged', 'escalated') GROUP BY type`,
      );
      this.reset();
      this.set({ kind: 'urged' }, 0);
      this.set({ kind: 'escalated' }, 0);
      for (const row of rows) this.set({ kind: row.type }, Number(row.n));
    },
  });
  new Gauge({
    name: 'hotline_webhook_notifications',
    help: 'Notifications to units with a webhook, not yet delivered: pending (no failure yet) or failed (last attempt failed)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ pending: string; failed: string }>(
        `SELECT count(*) FILTER (WHERE n.webhook_last_error IS NULL) AS pending,
                count(*) FILTER (WHERE n.webhook_last_error IS NOT NULL) AS failed
           FROM notifications n JOIN units u ON u.id = n.unit_id
          WHERE u.webhook_url IS NOT NULL AND n.webhook_delivered_at IS NULL`,
      );
      this.set({ status: 'pending' }, Number(rows[0].pending));
      this.set({ status: 'failed' }, Number(rows[0].failed));
    },
  });

  const httpMiddleware: RequestHandler = (req, res, next) => {
    const end = latency.startTimer();
    res.on('finish', () => {
      // The route's pattern (never the path: ids would explode the label set).
      const pattern = req.route?.path as string | undefined;
      const route = pattern ? `${req.baseUrl}${pattern}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      end(labels);
    });
    next();
  };

  return {
    registry,
    httpMiddleware,
    contentType: registry.contentType,
    async render() {
      const ours = await registry.metrics();
      if (!options.sdkMetricsUrl) return ours;
      const sdk = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(2000) })
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => '');
      return `${ours}\n${sdk}`;
    },
  };
}
