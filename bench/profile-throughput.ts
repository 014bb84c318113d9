/**
 * Where a creation's and an action's CPU goes (issue 9): `npm run bench:profile [-- --create=300 --clients=16]`.
 *
 * Runs the service as `npm start` does (a child process, embedded PostgreSQL, sandbox off) under
 * `node --cpu-prof`, drives creations (`POST /tickets`) and then unit actions (`sign`, then
 * `contact`) through HTTP, and prints for each phase:
 * - CPU per thread of the service (the Node main thread: API, client gRPC, activities, and the
 *   engine with ENGINE_THREAD=0; `hotline-engine`: the engine's own thread, which names itself;
 *   the SDK's workflow thread — the last-started unnamed thread that works — apart from V8's and
 *   libuv's helper threads, which are also named `node` and which earlier runs counted with it;
 *   the SDK core's Rust threads) and of PostgreSQL's processes, from `/proc`, per operation;
 * - the V8 profiles of the JS threads cut to the phase's time window (both use
 *   CLOCK_MONOTONIC), self time grouped by area (our folders, each package) and the top functions.
 *
 * Beside them, the machine's own limits from the same run (PostgreSQL single-row commits/s and the
 * API's bare authenticated GET/s, 32 clients each) and the load average at start and end.
 * `WORKER_*` settings pass through the environment (e.g. `WORKER_DEADLOCK_DETECTION=off`).
 *
 * Figures on a shared machine are noisy; the split per operation is what to read. `--cpu-only`
 * leaves the V8 profiler out (it costs ~15 % itself) to compare two builds' CPU per operation.
 *
 * `--warmup=N` runs N creations, signs and contacts before measuring (default: 40 creations).
 *
 * `--burst=N` profiles a deadline burst instead (bench/burst-support.ts): a sandbox service, N
 * work orders whose sign deadlines fall at one instant, the clock moved past it; the phase is
 * the clock move until every escalation is fully recorded, and an op is one work order's
 * escalation.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoTokens } from '../db/seed/demo';
import { kaifengUnits } from '../db/seed/kaifengUnits';
import { bareGetRate, postgresCommitRate } from './machine-limits';
import { Http, ServiceProcess, closedLoop, freePort, summarise, ticketCreator, type LoadResult, codeArea } from './scale-support';
import { BURST_SANDBOX_START, cacheCountersBetween, prepareBurst, runBurst, workerCacheCounters } from './burst-support';
import { Pool } from 'pg';
import { cpuDelta, cpuSnapshot, readPostgresClients } from './threadCpu';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const createCount = option('create', 300);
const clients = option('clients', 16);
const top = option('top', 25);
const limitSeconds = option('limit-seconds', 5);
// `--cpu-only`: no V8 profiler (it costs ~15 % itself); CPU per thread only, to compare builds.
const cpuOnly = argv.includes('--cpu-only');
// `--burst=N`: the deadline-burst phase only (sandbox service), N work orders.
const burstSize = option('burst', 0);
// `--warmup=N`: N creations, signs and contacts before the measured phases, so V8 has compiled
// what they run (a service that has run a while); without it, 40 creations only (the figures
// before 2026-12-04 were taken that way, with JIT work in them).
const warmupGiven = argv.some((a) => a.startsWith('--warmup='));
const warmupCount = option('warmup', 40);

const unitIds = kaifengUnits.filter((u) => u.id !== 'kf-000').map((u) => u.id);

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

interface Phase {
  name: string;
  ops: number;
  from: number;
  to: number;
  cpu: [string, number][];
  load: LoadResult;
}

let serviceDatabaseUrl: string | undefined;

async function phase(name: string, root: number, ops: number, run: () => Promise<LoadResult>): Promise<Phase> {
  if (serviceDatabaseUrl) await readPostgresClients(serviceDatabaseUrl);
  const before = cpuSnapshot(root);
  const from = monotonicMicros();
  const load = await run();
  const to = monotonicMicros();
  if (serviceDatabaseUrl) await readPostgresClients(serviceDatabaseUrl);
  return { name, ops, from, to, cpu: cpuDelta(before, cpuSnapshot(root)), load };
}

// ---- .cpuprofile analysis ------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function analyse(profile: CpuProfile, from: number, to: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  // Inclusive time per area: a sample counts once for every area on its stack.
  const inclusive = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t > to) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
    total += dt;
    if (byId.get(profile.samples[i])!.callFrame.functionName === '(idle)') continue;
    busy += dt;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      seen.add(codeArea(f.url, f.functionName));
    }
    for (const a of seen) inclusive.set(a, (inclusive.get(a) ?? 0) + dt);
  }
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const { callFrame: f } = byId.get(id)!;
    const a = codeArea(f.url, f.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const key = `${f.functionName || '(anonymous)'} ${a}:${f.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  return {
    total,
    busy,
    areas: [...areas].sort((a, b) => b[1] - a[1]),
    inclusive: [...inclusive].sort((a, b) => b[1] - a[1]),
    fns: [...fns].sort((a, b) => b[1] - a[1]),
  };
}

// ---- run ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'hotline-profile-'));
  const profDir = path.join(base, 'profiles');
  const service = new ServiceProcess({
    dataDir: path.join(base, 'data'),
    port: await freePort(),
    enginePort: await freePort(),
    pgPort: await freePort(),
    nodeArgs: cpuOnly ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=500'],
    ...(burstSize > 0 ? { sandbox: BURST_SANDBOX_START } : {}),
  });
  const phases: Phase[] = [];
  const loadAtStart = os.loadavg();
  let limits = '';
  try {
    await service.start();
    serviceDatabaseUrl = service.databaseUrl();
    const tokens = demoTokens(service.demoSecret());
    if (burstSize > 0) {
      const http = new Http(service.url, 64);
      const pool = new Pool({ connectionString: service.databaseUrl(), max: 8, application_name: 'bench' });
      try {
        const ctx = { http, pool, temporalAddress: service.temporalAddress, adminToken: tokens.admin, unitIds };
        const pgRate = await postgresCommitRate(service.databaseUrl(), 32, limitSeconds);
        const get = await bareGetRate(http, tokens.center, 32, limitSeconds);
        limits = `machine limits (same run): PostgreSQL single-row commits ${pgRate.toFixed(0)}/s, bare GET /units/:id ${get.rate.toFixed(0)}/s (p99 ${get.p99.toFixed(0)} ms), 32 clients each`;
        const prepared = await prepareBurst(ctx, burstSize, 'profile-burst');
        phases.push(
          await phase('burst', service.pid, burstSize, async () => {
            const cacheBefore = await workerCacheCounters(ctx);
            const r = await runBurst(ctx, prepared);
            console.log(`burst of ${burstSize}: fully recorded after ${r.elapsed.toFixed(0)} ms (${r.escalations} escalations; clock move answered in ${r.advanced.toFixed(0)} ms)`);
            console.log(`worker cache during the burst: ${cacheCountersBetween(cacheBefore, await workerCacheCounters(ctx))}`);
            return summarise([r.elapsed], Number.isFinite(r.elapsed) ? 0 : 1, r.elapsed / 1000, {});
          }),
        );
      } finally {
        http.close();
        await pool.end();
      }
    } else {
    const http = new Http(service.url, 256);
    const { owner, create } = ticketCreator(http, tokens.center, unitIds, 'profile');
    await closedLoop(warmupCount, 8, 300, create(1_000_000)); // warm-up (JIT, pools, caches)
    if (warmupGiven) {
      const warmIds = [...owner.keys()];
      await closedLoop(warmIds.length, clients * 2, 300, (i) => http.request('POST', `/tickets/${warmIds[i]}/sign`, tokens.units[owner.get(warmIds[i])!], {}));
      await closedLoop(warmIds.length, clients * 2, 300, (i) =>
        http.request('POST', `/tickets/${warmIds[i]}/contact`, tokens.units[owner.get(warmIds[i])!], { reached: true, person: '王五' }),
      );
    }
    const pgRate = await postgresCommitRate(service.databaseUrl(), 32, limitSeconds);
    const get = await bareGetRate(http, tokens.center, 32, limitSeconds);
    limits = `machine limits (same run): PostgreSQL single-row commits ${pgRate.toFixed(0)}/s, bare GET /units/:id ${get.rate.toFixed(0)}/s (p99 ${get.p99.toFixed(0)} ms), 32 clients each`;
    const warm = new Set(owner.keys());
    phases.push(await phase('create', service.pid, createCount, () => closedLoop(createCount, clients, 300, create(1000))));
    const ids = [...owner.keys()].filter((id) => !warm.has(id));
    phases.push(
      await phase('sign', service.pid, ids.length, () =>
        closedLoop(ids.length, clients * 2, 300, (i) => http.request('POST', `/tickets/${ids[i]}/sign`, tokens.units[owner.get(ids[i])!], {})),
      ),
    );
    phases.push(
      await phase('contact', service.pid, ids.length, () =>
        closedLoop(ids.length, clients * 2, 300, (i) =>
          http.request('POST', `/tickets/${ids[i]}/contact`, tokens.units[owner.get(ids[i])!], { reached: true, person: '王五' }),
        ),
      ),
    );
    http.close();
    }
  } finally {
    await service.stop();
  }
  const files = (await readdir(profDir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  const profiles: { file: string; profile: CpuProfile }[] = [];
  for (const file of files) profiles.push({ file, profile: JSON.parse(await readFile(path.join(profDir, file), 'utf8')) });

  const loads = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  console.log(`profile-throughput ${new Date().toISOString()} — load at start ${loads(loadAtStart)}, at end ${loads(os.loadavg())}; ${os.cpus().length} cores`);
  console.log(`WORKER_DEADLOCK_DETECTION=${process.env.WORKER_DEADLOCK_DETECTION ?? 'on (default)'}${cpuOnly ? ', --cpu-only' : ', V8 profiler on'}; warm-up: ${warmupGiven ? `${warmupCount} creations, signs and contacts` : `${warmupCount} creations`}`);
  console.log(limits);
  for (const p of phases) {
    const ms = (cpuSeconds: number) => `${((cpuSeconds * 1000) / p.ops).toFixed(2)} ms/op`;
    if (process.env.PROFILE_KEEP) console.log(`\n(${p.name}: profile window ${p.from}–${p.to} µs, CLOCK_MONOTONIC)`);
    console.log(`\n=== ${p.name}: ${p.ops} ops, ${p.load.rate.toFixed(1)}/s, p50 ${p.load.p50.toFixed(0)} ms, p99 ${p.load.p99.toFixed(0)} ms, errors ${p.load.errors}${p.load.errors ? ` (HTTP statuses: ${JSON.stringify(p.load.statuses)})` : ''}`);
    const cpuTotal = p.cpu.reduce((s, [, v]) => s + v, 0);
    console.log(`  CPU per thread (total ${ms(cpuTotal)}):`);
    for (const [k, v] of p.cpu.slice(0, 12)) console.log(`    ${ms(v).padStart(14)}  ${k}`);
    for (const { file, profile } of profiles) {
      const a = analyse(profile, p.from, p.to);
      if (a.total < 0.02 * (p.to - p.from)) continue;
      console.log(`  ${file}: ${((a.total / 1000) / p.ops).toFixed(1)} ms/op sampled`);
      for (const [k, us] of a.areas.slice(0, 14)) console.log(`    ${((us / a.total) * 100).toFixed(1).padStart(5)} %  ${k}`);
      console.log('    inclusive, % of busy samples (idle excluded):');
      for (const [k, us] of a.inclusive.slice(1, 22)) console.log(`    ${((us / a.busy) * 100).toFixed(1).padStart(5)} %  ${k}`);
      console.log('    top functions:');
      for (const [k, us] of a.fns.slice(0, top)) console.log(`      ${((us / a.total) * 100).toFixed(1).padStart(5)} %  ${k}`);
    }
  }
  if (!process.env.PROFILE_KEEP) await rm(base, { recursive: true, force: true });
  else console.log(`\nprofiles kept in ${profDir}`);
}

// Exit once printed: leftover keep-alive handles held the process for minutes after the figures.
main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
