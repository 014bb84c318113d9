/**
 * Helpers of bench/scale.ts: the service as a child process (`npm start`'s entry point), a
 * keep-alive HTTP client, load loops, the PSS of a process tree, and seeding work orders
 * through their workflows. Loopback only; every loop is bounded by a count and a time cap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { calendarFor, currentProfile } from '../api/hotline/repository';
import { nextWorkOrderId } from '../api/tickets/repository';
import { intakeSchema } from '../domain/workorder';
import { TASK_QUEUE, WORKFLOW_TYPE, type WorkOrderInput } from '../workflows/messages';

const ROOT = path.resolve(__dirname, '..');

/** A free loopback TCP port (bound and released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- statistics --------------------------------------------------------------------------

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface LoadResult {
  ok: number;
  errors: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

export function summarise(latencies: number[], errors: number, seconds: number, statuses: Record<string, number>): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    ok: latencies.length,
    errors,
    seconds,
    rate: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    statuses,
  };
}

// ---- HTTP ----------------------------------------------------------------------------------

export interface Reply {
  status: number;
  body: any;
  ms: number;
}

/** A keep-alive JSON client for one base URL. */
export class Http {
  private readonly agent: http.Agent;
  private readonly url: URL;
  constructor(base: string, maxSockets = 256) {
    this.url = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }
  request(method: string, pathname: string, token?: string, body?: unknown, timeoutMs = 60_000): Promise<Reply> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const started = performance.now();
    return new Promise((resolve) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path: pathname,
          agent: this.agent,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - started });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ status: 0, body: String(error), ms: performance.now() - started }));
      if (data) req.write(data);
      req.end();
    });
  }
  close(): void {
    this.agent.destroy();
  }
}

/**
 * Runs `job(i)` for i in [0, count) with `concurrency` callers, stopping early after
 * `maxSeconds`. A job returns its reply; 2xx counts as success.
 */
export async function closedLoop(
  count: number,
  concurrency: number,
  maxSeconds: number,
  job: (i: number) => Promise<Reply>,
): Promise<LoadResult & { done: number[] }> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const done: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const until = t0 + maxSeconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < until) {
        const i = next++;
        const r = await job(i);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status >= 200 && r.status < 300) {
          latencies.push(r.ms);
          done.push(i);
        } else errors++;
      }
    }),
  );
  return { ...summarise(latencies, errors, (performance.now() - t0) / 1000, statuses), done };
}

/** Fires `job(i)` at a steady `rate` per second for `count` jobs (open loop), whatever the answers' latency. */
export async function openLoop(count: number, rate: number, job: (i: number) => Promise<Reply>): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const t0 = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      job(i).then((r) => {
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status >= 200 && r.status < 300) latencies.push(r.ms);
        else errors++;
      }),
    );
  }
  await Promise.all(inFlight);
  return summarise(latencies, errors, (performance.now() - t0) / 1000, statuses);
}

// ---- memory --------------------------------------------------------------------------------

/** Pids of `root` and all its descendants (from /proc). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** PSS of each kind of process in a tree (by /proc/PID/comm: node, postgres, …), in bytes. */
export function pssByProcessName(root: number): Map<string, { bytes: number; count: number }> {
  const out = new Map<string, { bytes: number; count: number }>();
  for (const pid of processTree(root)) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const entry = out.get(name) ?? { bytes: 0, count: 0 };
      entry.bytes += m ? Number(m[1]) * 1024 : 0;
      entry.count++;
      out.set(name, entry);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Proportional set size of a process tree, in bytes (shared pages split between sharers). */
export function pssOfTree(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return kb * 1024;
}

// ---- the service ---------------------------------------------------------------------------

export interface ServiceOptions {
  dataDir: string;
  sandbox?: string; // SANDBOX_START
  port: number;
  enginePort: number;
  pgPort: number;
  extraEnv?: Record<string, string>;
  /** Extra `node` flags of the service process (e.g. `--cpu-prof`, not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** Every line the service writes to stdout (its JSON log), as it comes. */
  onLine?: (line: string) => void;
}

/**
 * A sandbox service on free ports with its data in a new folder under the OS temp dir (remove
 * `base` when done), its clock at Monday 09:00 in Beijing: every work order created at once shares
 * its sign deadline.
 */
export async function sandboxService(prefix: string): Promise<{ service: ServiceProcess; base: string }> {
  const base = await mkdtemp(path.join(os.tmpdir(), prefix));
  // Run as root, the embedded PostgreSQL runs as user postgres: it must enter this folder.
  await chmod(base, 0o711);
  const service = new ServiceProcess({
    dataDir: path.join(base, 'data'),
    sandbox: '2026-03-02T09:00:00+08:00',
    port: await freePort(),
    enginePort: await freePort(),
    pgPort: await freePort(),
  });
  return { service, base };
}

/** The service (`scripts/start.ts`, what `npm start` runs) as a child process. */
export class ServiceProcess {
  child?: ChildProcess;
  readonly url: string;
  readonly temporalAddress: string;
  constructor(readonly options: ServiceOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
    this.temporalAddress = `127.0.0.1:${options.enginePort}`;
  }

  /** Starts it; resolves when it logged `service ready` (with the time it took). */
  async start(timeoutMs = 300_000): Promise<number> {
    const t0 = performance.now();
    const o = this.options;
    // SCALE_NODE_ARGS: node/V8 flags for the service in any bench (e.g. `--trace-gc`), space-separated.
    const extraNodeArgs = (process.env.SCALE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), ...extraNodeArgs, '-r', 'ts-node/register/transpile-only', 'scripts/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATA_DIR: o.dataDir,
        PORT: String(o.port),
        ENGINE_PORT: String(o.enginePort),
        EMBEDDED_PG_PORT: String(o.pgPort),
        SANDBOX: o.sandbox ? '1' : '0',
        // The bench signs in as the demo users; outside sandbox they are seeded only on request (issue 15).
        SEED_DEMO: '1',
        ...(o.sandbox ? { SANDBOX_START: o.sandbox } : {}),
        LOG_LEVEL: process.env.SCALE_LOG_LEVEL ?? 'warn',
        ...o.extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let tail = '';
    const keep = (t: Buffer) => {
      tail = (tail + t.toString('utf8')).slice(-8000);
    };
    child.stdout!.on('data', keep);
    // SCALE_SERVICE_LOG: a file that gets the service's whole stdout, each chunk prefixed with the
    // bench's clock (ms), to line a trace (`--trace-gc`) up with the load.
    if (process.env.SCALE_SERVICE_LOG) {
      const log = createWriteStream(process.env.SCALE_SERVICE_LOG);
      child.stdout!.on('data', (t: Buffer) => log.write(`${performance.now().toFixed(0)} ${t.toString('utf8')}`));
    }
    if (o.onLine) {
      let partial = '';
      child.stdout!.on('data', (t: Buffer) => {
        const parts = (partial + t.toString('utf8')).split('\n');
        partial = parts.pop()!;
        for (const line of parts) o.onLine!(line);
      });
    }
    child.stderr!.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`service exited (${code}) before it was ready:\n${tail}`))),
    );
    const ready = (async () => {
      const h = new Http(this.url, 2);
      try {
        for (;;) {
          const r = await h.request('GET', '/health', undefined, undefined, 2000);
          if (r.status === 200) return;
          await sleep(100);
        }
      } finally {
        h.close();
      }
    })();
    const timer = sleep(timeoutMs).then(() => {
      throw new Error(`service not ready after ${timeoutMs} ms:\n${tail}`);
    });
    await Promise.race([ready, exited, timer]);
    exited.catch(() => undefined);
    return performance.now() - t0;
  }

  /** SIGTERM and wait for the exit (SIGKILL after 60 s). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await gone;
    clearTimeout(timer);
  }

  get pid(): number {
    return this.child!.pid!;
  }

  databaseUrl(): string {
    const password = readFileSync(path.join(this.options.dataDir, 'postgres-password'), 'utf8').trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.options.pgPort}/hotline`;
  }

  demoSecret(): string {
    return readFileSync(path.join(this.options.dataDir, 'demo-secret'), 'utf8').trim();
  }
}

// ---- seeding through the workflows -----------------------------------------------------------

/**
 * Starts `count` work orders through the same workflow the API starts (the same input: the
 * current profile and calendar from the database, an intake parsed by the API's schema), with
 * `concurrency` parallel client starts; the API is not in the way. Returns their ids.
 */
export async function seedWorkOrders(
  pool: Pool,
  temporalAddress: string,
  count: number,
  options: { concurrency?: number; unitIds: string[]; now: Date; label: string },
): Promise<string[]> {
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  try {
    const profile = await currentProfile(pool);
    const calendar = await calendarFor(pool, options.now);
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency ?? 64 }, async () => {
        while (next < count) {
          const i = next++;
          const workOrderId = await nextWorkOrderId(pool, options.now);
          const intake = intakeSchema.parse({
            callerName: '张三',
            callerPhone: '13800001111',
            summary: `${options.label} 路灯不亮 #${i}`,
            category: 'complaint',
            mainUnitId: options.unitIds[i % options.unitIds.length],
          });
          const input: WorkOrderInput = {
            workOrderId,
            intake,
            createdBy: { userId: 'center-1', role: 'center' },
            profile,
            calendar,
          };
          await client.workflow.start(WORKFLOW_TYPE, {
            taskQueue: TASK_QUEUE,
            workflowId: workOrderId,
            args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          });
          ids.push(workOrderId);
        }
      }),
    );
    return ids;
  } finally {
    await connection.close();
  }
}

/**
 * Seeds `count` work orders through {@link seedWorkOrders} in batches, keeping at most `window`
 * started but not yet recorded in the read model: starting all at once only queues work in the
 * engine (measured: 50 starts/s but 3 first states/s with 16 000 queued). Returns their ids.
 */
export async function seedWithBoundedBacklog(
  pool: Pool,
  temporalAddress: string,
  count: number,
  options: { unitIds: string[]; label: string; now: () => Date; concurrency?: number; window?: number },
): Promise<string[]> {
  const window = options.window ?? 1000;
  const batch = Math.min(window, 500);
  const recorded = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM work_orders')).rows[0].n);
  const before = await recorded();
  const ids: string[] = [];
  while (ids.length < count) {
    if (ids.length - ((await recorded()) - before) > window - batch) {
      await sleep(100);
      continue;
    }
    const n = Math.min(batch, count - ids.length);
    ids.push(...(await seedWorkOrders(pool, temporalAddress, n, { unitIds: options.unitIds, now: options.now(), label: options.label, concurrency: options.concurrency ?? 64 })));
  }
  return ids;
}

/**
 * `POST /tickets` as the hotline center, numbered from `offset` and spread over `unitIds`;
 * `owner` maps each created work order to its main unit (whose token then acts on it).
 */
export function ticketCreator(http: Http, centerToken: string, unitIds: string[], label: string) {
  const owner = new Map<string, string>();
  const create = (offset: number) => async (i: number) => {
    const n = offset + i;
    const reply = await http.request('POST', '/tickets', centerToken, {
      callerName: '张三',
      callerPhone: '13800001111',
      summary: `${label} 小区门口路灯一周不亮 #${n}`,
      category: 'complaint',
      mainUnitId: unitIds[n % unitIds.length],
    });
    if (reply.status === 201) owner.set(reply.body.workOrderId, reply.body.mainUnitId);
    return reply;
  };
  return { owner, create };
}

/** Waits until the read model holds `expected` rows matching `where` (bounded by `maxSeconds`). */
export async function waitForRows(pool: Pool, sql: string, params: unknown[], expected: number, maxSeconds: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(sql, params);
    const n = Number(rows[0].n);
    if (n >= expected) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > maxSeconds * 1000) throw new Error(`only ${n} of ${expected} after ${maxSeconds} s: ${sql}`);
    await sleep(200);
  }
}

/** The area a profiled function belongs to: a package, a Node module, one of our folders or the workflow bundle (bench:profile, bench:alloc). */
export function codeArea(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const root = path.resolve(__dirname, '..') + '/';
  const rel = url.replace(/^file:\/\//, '').replace(root, '');
  if (rel.includes('workflow-bundle') || url.startsWith('webpack')) return 'workflow bundle';
  return rel.startsWith('/') ? rel : rel.split('/').slice(0, 2).join('/');
}
