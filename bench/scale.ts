/**
 * The city-scale benchmark (issue 9): `npm run bench:scale [-- --quick] [--name=value ...]`.
 *
 * Runs the service as `npm start` does (a child process: embedded PostgreSQL with its default
 * durability, the engine, the worker, the API; sandbox off unless said), drives it through HTTP
 * on loopback, and prints every figure beside the machine's own limits measured in the same run:
 * PostgreSQL single-row commits/s at 32 clients on the same embedded PostgreSQL, and the API's
 * bare authenticated GET rate (`GET /units/:id`: token check + one indexed row).
 *
 * Figures:
 * - work-order creation/s through `POST /tickets` at several client counts (p50, p99);
 * - unit actions/s (`sign`, then `contact`, each a unit's own token);
 * - p50/p99 of an action at a steady rate (open loop, default 50/s);
 * - bursts of N deadlines at one instant (sandbox: N work orders created after hours, so all
 *   their deadlines count from the next opening; the clock moved to just before their sign
 *   deadline, then past it; bench/burst-support.ts): time from the move to the last escalation
 *   fully recorded (timeline, read model `overdue`, supervision record, notification rows);
 * - with `open` open work orders (seeded through the same workflow with parallel client
 *   starts, not through the API): PSS of the whole process tree, and a restart: time to
 *   serving and to the first live work-order state (`GET /tickets/:id`, a workflow query).
 *
 * Options (flag `--name=value` or environment `SCALE_NAME`): `clients=8,32,64`, `create=300`
 * (creations per client count), `actions=600`, `rate=50`, `steadySeconds=10`,
 * `bursts=1000,10000`, `open=100000`, `limitSeconds=5`, `skip=throughput,steady,bursts,open`.
 * `--quick` shrinks everything for a smoke run. The whole default set stays within 15 minutes
 * on the 2-core machine it was written on.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { demoTokens } from '../db/seed/demo';
import { kaifengUnits } from '../db/seed/kaifengUnits';
import { bareGetRate, postgresCommitRate } from './machine-limits';
import {
  Http,
  ServiceProcess,
  closedLoop,
  freePort,
  openLoop,
  pssOfTree,
  seedWithBoundedBacklog,
  seedWorkOrders,
  sleep,
  waitForRows,
  type LoadResult,
} from './scale-support';
import { BURST_SANDBOX_START, prepareBurst, runBurst, settled, type BurstContext } from './burst-support';

// ---- options ---------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const quick = argv.includes('--quick') || process.env.SCALE_QUICK === '1';
function option(name: string, fallback: string, quickValue: string): string {
  const flag = argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  const env = process.env[`SCALE_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`];
  if (env) return env;
  return quick ? quickValue : fallback;
}
const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);
const opts = {
  clients: numbers(option('clients', '8,32,64', '8,32')),
  create: Number(option('create', '300', '60')),
  actions: Number(option('actions', '600', '120')),
  rate: Number(option('rate', '50', '50')),
  steadySeconds: Number(option('steadySeconds', '10', '4')),
  bursts: numbers(option('bursts', '1000,10000', '200')),
  open: Number(option('open', '100000', '500')),
  limitSeconds: Number(option('limitSeconds', '5', '3')),
  skip: option('skip', '', '').split(',').filter(Boolean),
};
const runs = (part: string) => !opts.skip.includes(part);

// ---- output ------------------------------------------------------------------------------------

const lines: string[] = [];
const print = (line: string) => {
  lines.push(line);
  console.log(line);
};
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '—');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const ms = (n: number) => `${f0(n)} ms`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const load = (r: LoadResult) =>
  `${f1(r.rate)}/s (ok ${r.ok}, errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.statuses)}` : ''}), p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`;

// ---- the machine's limits ---------------------------------------------------------------------

// postgresCommitRate, bareGetRate: bench/machine-limits.ts (bench:profile prints them too).

// ---- parts ---------------------------------------------------------------------------------------

const unitIds = kaifengUnits.filter((u) => u.id !== 'kf-000').map((u) => u.id);
const intakeBody = (i: number, label: string) => ({
  callerName: '张三',
  callerPhone: '13800001111',
  summary: `${label} 小区门口路灯一周不亮 #${i}`,
  category: 'complaint',
  mainUnitId: unitIds[i % unitIds.length],
});

async function throughputAndMemory(base: string): Promise<void> {
  const service = new ServiceProcess({
    dataDir: path.join(base, 'real'),
    port: await freePort(),
    enginePort: await freePort(),
    pgPort: await freePort(),
  });
  const firstStart = await service.start();
  print(`service start (empty data dir, first time): ${ms(firstStart)}`);
  const tokens = demoTokens(service.demoSecret());
  const http = new Http(service.url, 512);
  const pool = new Pool({ connectionString: service.databaseUrl(), max: 8 });
  // The restart below ends idle connections: the pool replaces them.
  pool.on('error', () => undefined);
  try {
    // Limits first, on a quiet service.
    const pgRate = await postgresCommitRate(service.databaseUrl(), 32, opts.limitSeconds);
    const get = await bareGetRate(http, tokens.center, 32, opts.limitSeconds);
    print('');
    print('machine limits (same run, same PostgreSQL, same API process)');
    print(`  PostgreSQL single-row commits, 32 clients: ${f0(pgRate)}/s`);
    print(`  API bare authenticated GET /units/:id, 32 clients: ${load(get)}`);

    const orderOwner = new Map<string, string>();
    if (runs('throughput')) {
      print('');
      print('work-order creation through HTTP (POST /tickets, dispatched at creation)');
      const created: string[] = [];
      for (const clients of opts.clients) {
        const count = Math.max(opts.create, clients * 4);
        const r = await closedLoop(count, clients, 90, async (i) => {
          const reply = await http.request('POST', '/tickets', tokens.center, intakeBody(i, `c${clients}`));
          if (reply.status === 201) {
            created.push(reply.body.workOrderId);
            orderOwner.set(reply.body.workOrderId, reply.body.mainUnitId);
          }
          return reply;
        });
        print(`  ${String(clients).padStart(3)} clients: ${load(r)}`);
      }

      print('');
      print('unit actions through HTTP (sign, then contact, on the created work orders; 64 clients)');
      const orders = created.slice(0, Math.ceil(opts.actions / 2));
      const r = await closedLoop(orders.length * 2, 64, 90, (i) => {
        const id = orders[i % orders.length];
        const unitToken = tokens.units[orderOwner.get(id)!];
        // The first pass signs every order, the second contacts: a contact never overtakes its sign.
        return i < orders.length
          ? http.request('POST', `/tickets/${id}/sign`, unitToken, {})
          : http.request('POST', `/tickets/${id}/contact`, unitToken, { reached: true, person: '王五' });
      });
      print(`  sign + contact: ${load(r)}`);
    }

    if (runs('steady')) {
      // Each action on its own fresh work order (a sign), so no action waits for another.
      const count = opts.rate * opts.steadySeconds;
      const ids = await seedWorkOrders(pool, service.temporalAddress, count, { unitIds, now: new Date(), label: 'steady' });
      await waitForRows(pool, 'SELECT count(*) AS n FROM work_orders WHERE id = ANY($1)', [ids], ids.length, 600);
      const owner = new Map<string, string>();
      const { rows } = await pool.query<{ id: string; main_unit_id: string }>('SELECT id, main_unit_id FROM work_orders WHERE id = ANY($1)', [ids]);
      for (const row of rows) owner.set(row.id, row.main_unit_id);
      const r = await openLoop(count, opts.rate, (i) => http.request('POST', `/tickets/${ids[i]}/sign`, tokens.units[owner.get(ids[i])!], {}));
      print('');
      print(`unit action (sign) latency at a steady ${opts.rate}/s for ${opts.steadySeconds} s (open loop): ${load(r)}`);
    }

    if (runs('open') && opts.open > 0) {
      print('');
      print(`${opts.open} open work orders (seeded through the workflow with parallel client starts)`);
      const before = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM work_orders')).rows[0].n);
      const t0 = performance.now();
      const seeded = await seedWithBoundedBacklog(pool, service.temporalAddress, opts.open, { unitIds, now: () => new Date(), label: 'open' });
      const first = seeded[0];
      const started = (performance.now() - t0) / 1000;
      await waitForRows(pool, 'SELECT count(*) AS n FROM work_orders', [], before + opts.open, 1800);
      const recorded = (performance.now() - t0) / 1000;
      print(`  seeding: started ${f1(opts.open / started)}/s; all first states recorded after ${f1(recorded)} s (${f1(opts.open / recorded)}/s)`);
      // Eviction cost: an action on a work order long out of the worker's cache (replayed from
      // its history) beside one on a work order just started (cached), one at a time.
      const sample = Math.min(30, Math.floor(seeded.length / 2));
      const signOne = async (id: string) => {
        const { rows } = await pool.query<{ main_unit_id: string }>('SELECT main_unit_id FROM work_orders WHERE id = $1', [id]);
        return (await http.request('POST', `/tickets/${id}/sign`, tokens.units[rows[0].main_unit_id], {})).ms;
      };
      const p50 = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
      const cold: number[] = [];
      const warm: number[] = [];
      for (let i = 0; i < sample; i++) {
        cold.push(await signOne(seeded[1 + i]));
        warm.push(await signOne(seeded[seeded.length - 1 - i]));
      }
      print(`  sign on an evicted work order (replayed): p50 ${ms(p50(cold))}; on a cached one: p50 ${ms(p50(warm))} (${sample} each, one at a time)`);
      await sleep(5000);
      const pss = pssOfTree(service.pid);
      print(`  PSS of the process tree (node + PostgreSQL), ${before + opts.open} stored, all open: ${gib(pss)}`);

      await service.stop();
      const tRestart = performance.now();
      const serving = await service.start();
      let live = NaN;
      for (let attempt = 0; attempt < 600; attempt++) {
        const reply = await http.request('GET', `/tickets/${first}`, tokens.center, undefined, 60_000);
        if (reply.status === 200) {
          live = performance.now() - tRestart;
          break;
        }
        await sleep(100);
      }
      print(`  restart: serving after ${ms(serving)}, first live work-order state after ${ms(live)}`);
      await sleep(5000);
      print(`  PSS after the restart: ${gib(pssOfTree(service.pid))}`);
    }
  } finally {
    http.close();
    await pool.end();
    await service.stop();
  }
}

async function bursts(base: string): Promise<void> {
  // After hours: every deadline counts from the next opening, so all fall at one instant.
  const service = new ServiceProcess({
    dataDir: path.join(base, 'sandbox'),
    sandbox: BURST_SANDBOX_START,
    port: await freePort(),
    enginePort: await freePort(),
    pgPort: await freePort(),
  });
  await service.start();
  const tokens = demoTokens(service.demoSecret());
  const http = new Http(service.url, 64);
  const pool = new Pool({ connectionString: service.databaseUrl(), max: 8 });
  // The restart below ends idle connections: the pool replaces them.
  pool.on('error', () => undefined);
  const ctx: BurstContext = { http, pool, temporalAddress: service.temporalAddress, adminToken: tokens.admin, unitIds };
  try {
    print('');
    print('deadline bursts (sandbox clock; N work orders whose sign deadlines fall at one instant)');
    for (const n of opts.bursts) {
      const prepared = await prepareBurst(ctx, n, `burst${n}`);
      const spread = prepared.deadline - prepared.first;
      const r = await runBurst(ctx, prepared);
      print(
        `  ${String(n).padStart(6)} deadlines: last escalation fully recorded after ${ms(r.elapsed)} ` +
          `(${r.escalations} escalations; ${f1(r.escalations / (r.elapsed / 1000))}/s; clock move answered in ${ms(r.advanced)}; seeding took ${f1(prepared.seeded)} s${spread ? `; deadlines spread over ${f0(spread / 1000)} s` : ''})` +
          (Number.isFinite(r.elapsed) ? '' : ` INCOMPLETE ${JSON.stringify(r.last)}`),
      );
      await settled(pool, 300);
    }
  } finally {
    http.close();
    await pool.end();
    await service.stop();
  }
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'bench-scale-'));
  // Run as root, the embedded PostgreSQL runs as user postgres: it must enter this folder.
  await chmod(base, 0o711);
  const started = performance.now();
  print(`bench:scale ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${gib(os.totalmem())} RAM, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  print(`options: ${JSON.stringify(opts)}${quick ? ' (quick)' : ''}; service LOG_LEVEL=${process.env.SCALE_LOG_LEVEL ?? 'warn'}`);
  try {
    await throughputAndMemory(base);
    if (runs('bursts') && opts.bursts.length) await bursts(base);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  print('');
  print(`total ${f1((performance.now() - started) / 1000)} s; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

// Exit once the figures are printed and the temp directories removed: a handle left by the SDK
// client or a pool could otherwise keep the process alive after `total`.
main().then(() => process.exit(0)).catch((error) => {
  console.error(error);
  process.exit(1);
});
