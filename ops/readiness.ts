/**
 * Liveness and readiness (issue 15). `/livez`: the process answers. `/readyz`: it can do its job —
 * the database answers, the Temporal frontend answers, and a worker polls the work-order task
 * queue (this process's own worker when it runs one; otherwise DescribeTaskQueue's pollers, as
 * against a cluster) — plus any further check given (e.g. the calendar's coverage).
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { TASK_QUEUE } from '../workflows/messages';

export interface CheckResult {
  ok: boolean;
  /** Why not, for people operating it (no secrets). */
  detail?: string;
}

export interface ReadinessOptions {
  pool: Pool;
  temporal: Client;
  namespace?: string;
  taskQueue?: string;
  /** The state of the worker this process runs, if it runs one. */
  localWorker?: () => boolean;
  /** Further checks by name (e.g. `calendar`). */
  extraChecks?: Record<string, () => Promise<CheckResult>>;
  /** Per check; default 3 s. */
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

/** Runs every check at once and reports each. */
export async function checkReadiness(options: ReadinessOptions): Promise<Readiness> {
  const ms = options.timeoutMs ?? 3000;
  const namespace = options.namespace ?? 'default';
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  const service = options.temporal.connection.workflowService;
  const checks: Record<string, () => Promise<CheckResult>> = {
    database: async () => {
      await options.pool.query('SELECT 1');
      return { ok: true };
    },
    temporal: async () => {
      await service.getSystemInfo({});
      return { ok: true };
    },
    worker: async () => {
      if (options.localWorker) return options.localWorker() ? { ok: true } : { ok: false, detail: 'this process’s worker is not running' };
      const kinds = ['TASK_QUEUE_TYPE_WORKFLOW', 'TASK_QUEUE_TYPE_ACTIVITY'] as const;
      const answers = await Promise.all(
        kinds.map((kind) => service.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: kind as never })),
      );
      const missing = kinds.filter((_, i) => (answers[i].pollers ?? []).length === 0);
      return missing.length === 0 ? { ok: true } : { ok: false, detail: `no worker polls task queue ${taskQueue} (${missing.join(', ')})` };
    },
    ...options.extraChecks,
  };
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map((name) => within(ms, checks[name]()).catch((error: unknown): CheckResult => ({ ok: false, detail: (error as Error).message }))),
  );
  const byName = Object.fromEntries(names.map((name, i) => [name, results[i]]));
  return { ready: results.every((r) => r.ok), checks: byName };
}
