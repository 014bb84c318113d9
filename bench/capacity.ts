/**
 * Capacity benchmark (issue 9): `npm run bench:capacity [-- --open=100000] [--name=value ...]`.
 *
 * Runs the service as `npm start` does (a child process, sandbox clock so deadlines can be
 * placed), and prints, beside the machine's limits measured in the same run (PostgreSQL
 * single-row commits/s on the same embedded PostgreSQL):
 * - service start: first start (empty data dir) and an idle restart, with the time of each
 *   start-up step taken from the service's own log lines;
 * - seeding `open` work orders through the same workflow (parallel client starts, the
 *   first workflow task at its own pace): starts/s and first recorded states/s;
 * - PSS of the process tree with `open` open work orders, per kind of process (node, postgres);
 * - a restart that "took" until `passed` urge deadlines had fallen due (the sandbox clock restarts
 *   later: SANDBOX_START): time to serving, to the first live work-order state, and until every
 *   deadline that passed during the restart is recorded (timeline `urged`), with the share of
 *   them recorded out of due order.
 *
 * Seeding 100 000 through the workflows takes longer than a bench run may (see the README's
 * results table), so a fully seeded data directory is kept in a cache (`seedCache`, default
 * node_modules/.cache/hotline-seeded) keyed by the code that wrote it (workflows, domain,
 * activities, engine, db, the SDK and Node) and the count; a reused one is said so in the output.
 * `--seedCache=off` always seeds. `--seedSeconds` caps seeding; the rest runs on what was seeded.
 * A capped seed is kept too, as `<key>-<count>-partial`; each kept directory holds `seeded-by.json`
 * (code key, commit, count, date).
 *
 * `--seedFrom=<dir>` runs the start-up, PSS and restart parts on a data directory seeded earlier,
 * whatever code seeded it (the cache key changes with any code change): the service migrates it
 * forward at start, as an upgrade does. The output says it is reused, which code key and commit
 * seeded it and whether that is the code running now. `<dir>` is a kept cache entry or a
 * `DATA_DIR`; it is copied, never changed. When it holds fewer than `open` open work orders, the
 * rest are seeded through the workflow in the copy (a top-up: the sandbox clock goes on from the
 * seed's last event) and the result is kept in `seedCache` under its new count, its
 * `seeded-by.json` naming the seed it was topped up from.
 *
 * Memory: at each PSS the node process is broken down by mapping (anonymous, brk heap, files);
 * with `memoryProbe=on` (default) the service also runs with `--expose-gc` and
 * bench/memory-probe.js, which reports each thread's V8 heap (the main thread: API, engine, the
 * SDK's worker; the workflow thread: the worker's cached workflows) before and after a full GC,
 * and the rest of the RSS (Rust core, malloc) is what lies outside them; the PSS after that GC is
 * printed too. `serviceEnv=NAME=value,…` sets the service's environment for an experiment
 * (e.g. `MALLOC_ARENA_MAX=2`, `WORKER_WORKFLOW_THREAD_HEAP_MB=256`); with
 * `MEMORY_PROBE_HEAPSNAPSHOT_DIR=<dir>` there the probe also writes a main-thread heap snapshot
 * at each PSS (slow: the PSS after the GC is then not comparable), which `bench/heap-runs.js`,
 * `bench/heap-diff.js` and `bench/heap-retainers.js` read.
 *
 * Options (flag `--name=value` or environment `CAPACITY_NAME`): `open=100000`, `passed=1000`,
 * `seedSeconds=1800`, `concurrency=32` (client starts at once), `window=1000` (started, not yet
 * recorded), `seedCache=<dir>|off`, `seedFrom=<dir>`, `limitSeconds=5`, `memoryProbe=on|off`,
 * `serviceEnv=`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { demoTokens } from '../db/seed/demo';
import { kaifengUnits } from '../db/seed/kaifengUnits';
import { postgresCommitRate } from './machine-limits';
import { Http, ServiceProcess, freePort, pssByProcessName, pssOfTree, seedWorkOrders, sleep } from './scale-support';

const ROOT = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const flag = argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return process.env[`CAPACITY_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`] ?? fallback;
}
const opts = {
  open: Number(option('open', '100000')),
  passed: Number(option('passed', '1000')),
  seedSeconds: Number(option('seedSeconds', '1800')),
  concurrency: Number(option('concurrency', '32')),
  window: Number(option('window', '1000')),
  seedCache: option('seedCache', path.join(ROOT, 'node_modules/.cache/hotline-seeded')),
  limitSeconds: Number(option('limitSeconds', '5')),
  seedFrom: option('seedFrom', ''),
  /** `on`: the memory probe (bench/memory-probe.js, with --expose-gc) breaks the node process down at each PSS. */
  memoryProbe: option('memoryProbe', 'on'),
  /** Environment of the service for a memory experiment, e.g. `MALLOC_ARENA_MAX=2,WORKER_MAX_CACHED_WORKFLOWS=500`. */
  serviceEnv: option('serviceEnv', ''),
};

const print = (line: string) => console.log(line);
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '—');
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
// A working Monday 10:00 in Beijing: one working day to sign, urged an hour before (kaifeng-001).
const SANDBOX_START = '2026-03-02T10:00:00+08:00';
const unitIds = kaifengUnits.filter((u) => u.id !== 'kf-000').map((u) => u.id);

/** The code that writes a seeded data directory: any change makes a new cache key. */
function codeKey(): string {
  const hash = createHash('sha256');
  const version = (pkg: string) => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  hash.update(`node ${process.version} sdk ${version('@temporalio/worker')}\n`);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? walk(full) : /\.(ts|js|json|sql)$/.test(e.name) ? [full] : [];
    });
  for (const dir of ['workflows', 'domain', 'activities', 'engine', 'db']) {
    for (const file of walk(path.join(ROOT, dir)).sort()) hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The commit of this checkout (and whether it has uncommitted changes), for the record kept beside a seed. */
function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'workflows', 'domain', 'activities', 'engine', 'db'], { cwd: ROOT }).toString().trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** What `seeded-by.json` in a kept data directory says (absent in directories kept before it existed). */
function seededBy(dir: string): { codeKey: string; commit: string; open: number; seededAt: string } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'seeded-by.json'), 'utf8')) as { codeKey: string; commit: string; open: number; seededAt: string };
  } catch {
    return undefined;
  }
}

/** Start-up steps from the service's log lines (ms after spawn). */
function stepRecorder(): { onLine: (line: string) => void; reset: () => void; steps: () => string } {
  let t0 = Date.now();
  const seen: [string, number][] = [];
  const wanted = ['embedded PostgreSQL running', 'database migrated', 'engine running', 'worker running', 'service ready'];
  return {
    onLine: (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string };
        if (entry.msg && wanted.includes(entry.msg)) seen.push([entry.msg, Date.now() - t0]);
      } catch {
        /* the banner */
      }
    },
    reset: () => {
      t0 = Date.now();
      seen.length = 0;
    },
    steps: () => seen.map(([msg, ms]) => `${msg} ${f1(ms / 1000)} s`).join(', '),
  };
}

/** PSS of one process by kind of mapping: anonymous (V8 heaps, malloc arenas), [heap] (brk), files (code), other. */
function pssByMapping(pid: number): string {
  const parts = { anon: 0, brk: 0, file: 0, other: 0 };
  let kind: keyof typeof parts = 'other';
  try {
    for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
      if (head) {
        const name = head[1].trim();
        kind = name === '' ? 'anon' : name === '[heap]' ? 'brk' : name.startsWith('/') ? 'file' : 'other';
        continue;
      }
      const pss = /^Pss:\s+(\d+) kB/.exec(line);
      if (pss) parts[kind] += Number(pss[1]) * 1024;
    }
  } catch {
    return 'gone';
  }
  return `anonymous ${mib(parts.anon)}, [heap] ${mib(parts.brk)}, files ${mib(parts.file)}, other ${mib(parts.other)}`;
}

interface ProbeHeap {
  threadId: number;
  /** `'engine thread'` for the embedded engine's own thread. */
  role?: string | null;
  script: string | null;
  committedMiB: number;
  usedMiB: number;
  externalMiB: number;
  mallocedMiB: number;
  nativeContexts: number;
  detachedContexts: number;
  spaces: Record<string, { committedMiB: number; usedMiB: number }>;
}
interface ProbeLine {
  label: number;
  main: { before: ProbeHeap; afterGc?: ProbeHeap; memoryUsage: Record<string, number> };
  threads: { before: ProbeHeap; afterGc?: ProbeHeap }[];
}

/** Probe lines the service wrote (bench/memory-probe.js), by label. */
const probeLines: ProbeLine[] = [];
function onProbeLine(line: string): void {
  if (!line.includes('"memory probe"')) return;
  try {
    probeLines.push(JSON.parse(line) as ProbeLine);
  } catch {
    /* not ours */
  }
}

/**
 * The node process broken down: PSS by mapping kind, then each thread's V8 heap (committed /
 * used, the old space and the code space apart), before and after a full GC of each thread, and
 * what PSS is after that GC; the rest of the RSS is outside the V8 heaps (the SDK's Rust core,
 * malloc arenas, Node's own native memory, code).
 */
async function memoryBreakdown(pid: number): Promise<void> {
  const nodePid = pid;
  print(`  node process by mapping (PSS): ${pssByMapping(nodePid)}`);
  if (opts.memoryProbe !== 'on') return;
  const seen = probeLines.length;
  process.kill(nodePid, 'SIGWINCH');
  // A heap snapshot (MEMORY_PROBE_HEAPSNAPSHOT_DIR) of a large heap takes minutes.
  const waits = /MEMORY_PROBE_HEAPSNAPSHOT_DIR=/.test(opts.serviceEnv) ? 3000 : 100;
  for (let i = 0; i < waits && probeLines.length === seen; i++) await sleep(200);
  const line = probeLines[seen];
  if (!line) {
    print('  memory probe: no answer');
    return;
  }
  const heap = (h: ProbeHeap | undefined) =>
    h ? `${f0(h.committedMiB)}/${f0(h.usedMiB)} MiB (old ${f0(h.spaces.old_space?.committedMiB ?? NaN)}/${f0(h.spaces.old_space?.usedMiB ?? NaN)}, code ${f0(h.spaces.code_space?.committedMiB ?? NaN)}, large ${f0(h.spaces.large_object_space?.committedMiB ?? NaN)}; contexts ${h.nativeContexts}, detached ${h.detachedContexts})` : '—';
  const name = (h: ProbeHeap) => h.role ?? (h.script ? path.basename(h.script) : `thread ${h.threadId}`);
  const u = line.main.memoryUsage;
  print(`  main thread V8 heap committed/used: ${heap(line.main.before)} → after a full GC ${heap(line.main.afterGc)}; external ${f0(u.externalMiB)} MiB (array buffers ${f0(u.arrayBuffersMiB)})`);
  for (const t of line.threads) print(`  ${name(t.before)} V8 heap committed/used: ${heap(t.before)} → after a full GC ${heap(t.afterGc)}`);
  const heaps = line.main.before.committedMiB + line.threads.reduce((a, t) => a + t.before.committedMiB, 0);
  print(`  RSS ${f0(u.rssMiB)} MiB, of it V8 heaps (all threads, before GC) ${f0(heaps)} MiB; outside the V8 heaps (Rust core, malloc, Node native, code) ${f0(u.rssMiB - heaps)} MiB`);
  await sleep(2000);
  print(`  PSS after the full GC: ${pssLine(pid)}`);
}

function pssLine(pid: number): string {
  const parts = [...pssByProcessName(pid)].map(([name, p]) => `${name}${p.count > 1 ? ` ×${p.count}` : ''} ${mib(p.bytes)}`);
  return `${gib(pssOfTree(pid))} (${parts.join(', ')})`;
}

async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql, params)).rows[0].n);
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'bench-capacity-'));
  await chmod(base, 0o711); // run as root, the embedded PostgreSQL (user postgres) must enter it
  const dataDir = path.join(base, 'data');
  const started = performance.now();
  print(`bench:capacity ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${gib(os.totalmem())} RAM, load ${loadavg()}`);
  print(`options: ${JSON.stringify(opts)}`);
  const key = `${codeKey()}-${opts.open}`;
  const seedFrom = opts.seedFrom ? path.resolve(opts.seedFrom) : undefined;
  if (seedFrom && !existsSync(path.join(seedFrom, 'postgres'))) throw new Error(`--seedFrom=${seedFrom}: not a data directory (no postgres/ in it)`);
  const cached = seedFrom ?? (opts.seedCache === 'off' ? undefined : path.join(opts.seedCache, key));
  const reuse = seedFrom !== undefined || (cached !== undefined && existsSync(path.join(cached, 'complete')));
  const steps = stepRecorder();
  const service = new ServiceProcess({
    dataDir,
    sandbox: SANDBOX_START,
    port: await freePort(),
    enginePort: await freePort(),
    pgPort: await freePort(),
    extraEnv: {
      LOG_LEVEL: 'info',
      ...Object.fromEntries(opts.serviceEnv.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    },
    ...(opts.memoryProbe === 'on' ? { nodeArgs: ['--expose-gc', '-r', path.join(__dirname, 'memory-probe.js')] } : {}),
    onLine: (line) => {
      steps.onLine(line);
      onProbeLine(line);
    },
  });
  let pool: Pool | undefined;
  const http = new Http(service.url, 8);
  try {
    if (reuse) {
      execFileSync('cp', ['-a', cached!, dataDir]);
      await rm(path.join(dataDir, 'complete'), { force: true });
      if (seedFrom) {
        const by = seededBy(dataDir);
        const now = codeKey();
        print(
          `REUSED a data directory seeded earlier (--seedFrom=${seedFrom}): seeded by code key ${by?.codeKey ?? 'unknown'} (commit ${by?.commit ?? 'unknown'}, ${by?.open ?? '?'} open, ${by?.seededAt ?? 'date unknown'}); ` +
            `the code running now is ${now}${by?.codeKey === now ? ' (the same)' : ': different code, so the start below also migrates it forward'}`,
        );
      } else print(`REUSED a seeded data directory (${opts.open} open, code key ${key}) from ${cached}: seeding not measured in this run`);
    } else {
      steps.reset();
      print(`service start, empty data dir (first time: initdb, migrations, demo directory): ${f1((await service.start()) / 1000)} s — ${steps.steps()}`);
      await service.stop();
    }
    steps.reset();
    const idle = await service.start();
    print(`service restart${reuse ? ' on the reused data' : ', nearly empty'}: serving after ${f1(idle / 1000)} s — ${steps.steps()}`);
    pool = new Pool({ connectionString: service.databaseUrl(), max: 4 });
    pool.on('error', () => undefined); // the restart below ends idle connections
    const pgRate = await postgresCommitRate(service.databaseUrl(), 32, opts.limitSeconds);
    print(`machine limit (same run): PostgreSQL single-row commits, 32 clients: ${f0(pgRate)}/s; load ${loadavg()}`);
    const stored = reuse ? await count(pool, 'SELECT count(*) AS n FROM work_orders WHERE closed_at IS NULL') : 0;
    print(`PSS ${reuse ? `with ${stored} open stored (none loaded into the worker yet)` : 'nearly empty'}: ${pssLine(service.pid)}`);
    await memoryBreakdown(service.pid);
    // A seed from --seedFrom holding fewer than `open` is topped up through the same workflow
    // (the sandbox clock goes on from its last event), and kept under its new count.
    const toSeed = seedFrom ? Math.max(0, opts.open - stored) : reuse ? 0 : opts.open;
    if (seedFrom && toSeed > 0) print(`TOP-UP: the reused data holds ${stored} open, fewer than --open=${opts.open}: seeding the other ${toSeed} through the workflow`);

    if (toSeed > 0) {
      const before = await count(pool, 'SELECT count(*) AS n FROM work_orders');
      const t0 = performance.now();
      const until = t0 + opts.seedSeconds * 1000;
      let startedCount = 0;
      let lastReport = t0;
      // Started but not yet recorded stays below `window`: starting all at once only queues work
      // in the engine (measured: 50 starts/s but 3 first states/s at 16 000 queued), and the
      // queue itself costs the engine and the worker's pollers time.
      const batch = Math.min(opts.window, 500);
      while (startedCount < toSeed && performance.now() < until) {
        const recorded = (await count(pool, 'SELECT count(*) AS n FROM work_orders')) - before;
        if (startedCount - recorded > opts.window - batch) {
          await sleep(100);
          continue;
        }
        const n = Math.min(batch, toSeed - startedCount);
        const now = new Date((await http.request('GET', '/health')).body.now as string);
        const ids = await seedWorkOrders(pool, service.temporalAddress, n, { unitIds, now, label: 'capacity', concurrency: opts.concurrency });
        startedCount += ids.length;
        if (performance.now() - lastReport > 60_000) {
          lastReport = performance.now();
          const s = (performance.now() - t0) / 1000;
          print(`  … ${f0(s)} s: ${startedCount} started (${f1(startedCount / s)}/s), ${recorded} first states recorded (${f1(recorded / s)}/s); load ${loadavg()}`);
        }
      }
      const tStarted = (performance.now() - t0) / 1000;
      let recorded = 0;
      for (;;) {
        recorded = (await count(pool, 'SELECT count(*) AS n FROM work_orders')) - before;
        if (recorded >= startedCount || performance.now() > until + 600_000) break;
        await sleep(500);
      }
      const tRecorded = (performance.now() - t0) / 1000;
      print(
        `seeding through the workflow (${opts.concurrency} parallel client starts, at most ${opts.window} waiting for their first task): ${startedCount} started in ${f1(tStarted)} s (${f1(startedCount / tStarted)}/s); ` +
          `${recorded} first states recorded after ${f1(tRecorded)} s (${f1(recorded / tRecorded)}/s); load ${loadavg()}`,
      );
      if (startedCount < toSeed) print(`  seeding capped at ${opts.seedSeconds} s: the figures below are at ${stored + recorded} open, not ${opts.open}`);
    }
    const open = await count(pool, 'SELECT count(*) AS n FROM work_orders WHERE closed_at IS NULL');
    await sleep(5000);
    print(`PSS with ${open} open work orders${toSeed > 0 ? ', right after seeding' : ''}: ${pssLine(service.pid)}`);
    await memoryBreakdown(service.pid);

    // The restart "takes" until `passed` urges have fallen due: urges are an hour before the sign deadline.
    const { rows } = await pool.query<{ d: Date }>(
      'SELECT sign_deadline AS d FROM work_orders WHERE closed_at IS NULL AND sign_deadline IS NOT NULL ORDER BY sign_deadline LIMIT 1 OFFSET $1',
      [Math.max(0, Math.min(opts.passed, open) - 1)],
    );
    const restartAt = new Date(rows[0].d.getTime() - 3_600_000 + 1000);
    const firstId = (await pool.query<{ id: string }>('SELECT id FROM work_orders WHERE closed_at IS NULL ORDER BY created_at LIMIT 1')).rows[0].id;
    // A person acting during the burst (scale-query): a unit signs a work order whose deadlines have not passed.
    const signer = (
      await pool.query<{ id: string; unit: string }>(
        "SELECT id, main_unit_id AS unit FROM work_orders WHERE stage = 'dispatched' AND main_unit_id IS NOT NULL ORDER BY sign_deadline DESC NULLS LAST LIMIT 1",
      )
    ).rows[0];
    await service.stop();
    if (toSeed > 0 && opts.seedCache !== 'off' && open > 0) {
      // A capped seed is kept too (named by what it holds), so a later `--seedFrom` can use it;
      // so is a topped-up one (never over the directory it came from).
      const keepAt = path.join(opts.seedCache, `${codeKey()}-${open}${open >= opts.open ? '' : '-partial'}`);
      if (seedFrom && path.resolve(keepAt) === seedFrom) throw new Error(`the topped-up seed would replace ${seedFrom}`);
      await mkdir(opts.seedCache, { recursive: true });
      await rm(keepAt, { recursive: true, force: true });
      execFileSync('cp', ['-a', dataDir, `${keepAt}.tmp`]);
      await rm(path.join(`${keepAt}.tmp`, 'seeded-by.json'), { force: true });
      const record = {
        codeKey: codeKey(),
        commit: gitCommit(),
        open,
        seededAt: new Date().toISOString(),
        ...(seedFrom ? { toppedUpFrom: { dir: seedFrom, ...seededBy(seedFrom) } } : {}),
      };
      writeFileSync(path.join(`${keepAt}.tmp`, 'seeded-by.json'), `${JSON.stringify(record)}\n`);
      execFileSync('touch', [path.join(`${keepAt}.tmp`, 'complete')]);
      execFileSync('mv', [`${keepAt}.tmp`, keepAt]);
      print(`kept the seeded data directory for later runs: ${keepAt} (${f0(Number(execFileSync('du', ['-sm', keepAt]).toString().split('\t')[0]))} MiB)`);
    }
    service.options.sandbox = restartAt.toISOString();
    const tRestart = performance.now();
    steps.reset();
    const serving = await service.start();
    const tokens = demoTokens(service.demoSecret());
    // Until the first 2xx (or any answer but a 5xx/timeout, for the action: a 409 is an answer too).
    const firstAnswer = async (send: () => Promise<{ status: number }>, answered: (status: number) => boolean): Promise<number> => {
      for (let attempt = 0; attempt < 1200; attempt++) {
        const reply = await send().catch(() => ({ status: 0 }));
        if (answered(reply.status)) return performance.now() - tRestart;
        await sleep(100);
      }
      return NaN;
    };
    const [live, acted] = await Promise.all([
      firstAnswer(() => http.request('GET', `/tickets/${firstId}`, tokens.center, undefined, 60_000), (s) => s === 200),
      signer ? firstAnswer(() => http.request('POST', `/tickets/${signer.id}/sign`, tokens.units[signer.unit], {}, 60_000), (s) => s > 0 && s < 500) : Promise.resolve(NaN),
    ]);
    print(`restart with ${open} open (clock restarts at ${restartAt.toISOString()}): serving after ${f1(serving / 1000)} s, first live work-order state after ${f1(live / 1000)} s — ${steps.steps()}`);
    print(`  a unit's action (sign) sent at serving, during the burst: answered ${f1(acted / 1000)} s after the restart began`);
    // Every urge due by the restart instant recorded, and in which order. `at` is the workflow
    // time the urge fired (the clock restarts at restartAt and runs on); recorded_at is written
    // in workflow time too, so it cannot tell "after the restart" apart.
    const dueUrges = "type = 'urged' AND at >= $1 AND detail->>'dueAt' <= $2";
    const params = [restartAt, restartAt.toISOString()];
    const due = await count(pool, 'SELECT count(*) AS n FROM work_orders WHERE closed_at IS NULL AND sign_deadline <= $1', [new Date(restartAt.getTime() + 3_600_000)]);
    let urged = 0;
    const tWait = performance.now();
    while (performance.now() - tWait < 600_000) {
      urged = await count(pool, `SELECT count(DISTINCT work_order_id) AS n FROM work_order_events WHERE ${dueUrges}`, params);
      if (urged >= due) break;
      await sleep(200);
    }
    const allUrged = performance.now() - tRestart;
    const order = await pool.query<{ due: string; at: Date }>(`SELECT detail->>'dueAt' AS due, at FROM work_order_events WHERE ${dueUrges} ORDER BY at, seq`, params);
    // Out of due order: the fewest urges that, taken out, leave the rest in due order (the
    // length minus the longest non-decreasing run of due times, patience sorting). A count of
    // "below the highest due so far" would count every later urge after one early one, such as
    // a work order a person opened mid-burst (the engine's interactive lane serves it first).
    const tails: string[] = [];
    for (const r of order.rows) {
      let lo = 0;
      let hi = tails.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tails[mid] <= r.due) lo = mid + 1;
        else hi = mid;
      }
      tails[lo] = r.due;
    }
    const inversions = order.rows.length - tails.length;
    const span = order.rows.length ? (order.rows[order.rows.length - 1].at.getTime() - order.rows[0].at.getTime()) / 1000 : NaN;
    print(
      `  deadlines passed during the restart: ${urged} of ${due} work orders urged (${order.rows.length} urges), all recorded ${f1(allUrged / 1000)} s after the restart began ` +
        `(${f1((allUrged - serving) / 1000)} s after serving; first to last urge ${f1(span)} s, ${f1(order.rows.length / span)}/s); out of due order (fewest urges to take out for the rest to be in due order): ${inversions}`,
    );
    await sleep(5000);
    print(`PSS after the restart: ${pssLine(service.pid)}`);
    await memoryBreakdown(service.pid);
  } finally {
    http.close();
    await pool?.end();
    await service.stop();
    await rm(base, { recursive: true, force: true });
  }
  print(`total ${f1((performance.now() - started) / 1000)} s; load ${loadavg()}`);
}

// Exit once the figures are printed and the temp directories removed: a handle left by the SDK
// client or a pool could otherwise keep the process alive after `total`.
main().then(() => process.exit(0)).catch((error) => {
  console.error(error);
  process.exit(1);
});
