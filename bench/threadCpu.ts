/**
 * CPU per thread of a process tree, from /proc (issue 9 benches): each Node thread by what it
 * is (main, the SDK's workflow thread, V8 and libuv helpers, named threads such as the engine's
 * and the SDK core's), each PostgreSQL backend by the client it serves. Shared by
 * `bench/profile-throughput.ts` and `bench/timer-floor.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { processTree } from './scale-support';

const TICK = 100; // USER_HZ on Linux

/**
 * Backends' `application_name` by pid, read by {@link readPostgresClients} at each phase's start
 * and end (a pool opens connections during a phase, e.g. after its idle ones were closed).
 */
const postgresClients = new Map<number, string>();

/**
 * What a PostgreSQL process does: the client a backend serves (its `application_name`) or the
 * background process its title names (checkpointer, walwriter, autovacuum worker, ...).
 */
function postgresRole(pid: number): string {
  const client = postgresClients.get(pid);
  if (client !== undefined) return `backend of ${client || '(unnamed client)'}`;
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    const role = /^postgres: (?:[^ ]+: )?(checkpointer|background writer|walwriter|autovacuum launcher|autovacuum worker|stats collector|logical replication launcher|archiver)/.exec(title);
    return role ? role[1] : title.startsWith('postgres: ') ? 'other backends' : 'postmaster';
  } catch {
    return 'other backends';
  }
}

/** Backends' clients by pid: the engine's pools, the service's (`hotline`), a worker's (`hotline-worker`), the bench's. */
export async function readPostgresClients(databaseUrl: string): Promise<void> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ pid: number; name: string; me: boolean }>(
      `SELECT pid, application_name AS name, pid = pg_backend_pid() AS me FROM pg_stat_activity WHERE backend_type = 'client backend'`,
    );
    for (const r of rows) if (!r.me) postgresClients.set(r.pid, r.name.replace(/ pid [0-9]+ on .*$/, ''));
  } catch {
    // the figures stay unsplit
  } finally {
    await pool.end();
  }
}

/**
 * CPU seconds of each thread of the service process and of each process of the rest of its tree
 * (PostgreSQL), keyed by what it is and its pid: a pid's count is compared only with its own
 * (a backend that ended during a phase took its whole count with it, and one opened during it
 * starts from zero).
 */
export function cpuSnapshot(root: number): Map<string, number> {
  const out = new Map<string, number>();
  const add = (kind: string, pid: number, v: number) => {
    const key = `${kind}\u0000${pid}`;
    out.set(key, (out.get(key) ?? 0) + v);
  };
  const stat = (file: string) => {
    const text = readFileSync(file, 'utf8');
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return { name, cpu: (Number(fields[11]) + Number(fields[12])) / TICK, started: Number(fields[19]) };
  };
  for (const pid of processTree(root)) {
    try {
      const own = stat(`/proc/${pid}/stat`);
      if (own.name.startsWith('postgres') || own.name.startsWith('pg_')) {
        add(`postgres: ${postgresRole(pid)}`, pid, own.cpu);
        continue;
      }
      let live = 0;
      const threads = readdirSync(`/proc/${pid}/task`).map((tid) => ({ tid: Number(tid), ...stat(`/proc/${pid}/task/${tid}/stat`) }));
      // The SDK's workflow thread is not named: it is the last-started thread named like the
      // process (V8's and libuv's helper threads start before it) that has done real work (a
      // `vm` watchdog thread lives for one call and does next to none).
      const unnamed = threads.filter((t) => t.tid !== pid && t.name === own.name && t.cpu >= 0.5);
      const workflowThread = unnamed.length ? unnamed.reduce((a, b) => (b.started > a.started ? b : a)).tid : undefined;
      for (const t of threads) {
        const label =
          t.tid === pid
            ? `${t.name} (main thread)`
            : t.tid === workflowThread
              ? `${t.name} (workflow thread)`
              : t.name === own.name
                ? `${t.name} (V8 and libuv helper threads)`
                : t.name.replace(/[0-9]+$/, '#');
        add(`${own.name}: ${label}`, pid, t.cpu);
        live += t.cpu;
      }
      // The process's own counter also holds the CPU of threads that have ended (e.g. the watchdog
      // thread Node starts for every `vm` call given a timeout): invisible per thread otherwise.
      add(`${own.name}: (threads that ended)`, pid, own.cpu - live);
    } catch {
      // a process that ended meanwhile
    }
  }
  return out;
}

/** CPU seconds per thread or process kind between two snapshots (pid by pid, then summed by kind). */
export function cpuDelta(a: Map<string, number>, b: Map<string, number>): [string, number][] {
  const byKind = new Map<string, number>();
  for (const [key, v] of b) {
    const kind = key.slice(0, key.indexOf('\u0000'));
    byKind.set(kind, (byKind.get(kind) ?? 0) + v - (a.get(key) ?? 0));
  }
  return [...byKind].filter(([, v]) => v > 0.005).sort((x, y) => y[1] - x[1]);
}
