/**
 * The steady-rate latency of a unit action alone (issue 9's floor "p99 of an action ≤ 100 ms at
 * a steady 50/s"): `npm run bench:steady [-- --name=value ...]`. The steady phase of
 * bench/scale.ts, quicker and repeated, with the machine's limits from the same run beside it.
 *
 * Runs the service as `npm start` does (embedded PostgreSQL, durable; sandbox off), seeds
 * `rate × seconds × rounds` work orders through the workflow, waits until their first states
 * are recorded and the service is idle, then fires `sign` on each (its own fresh work order, so
 * no action waits for another) open loop at `rate`/s, `rounds` times. Prints p50/p95/p99/max per
 * round and over all rounds.
 *
 * Options (`--name=value` or `STEADY_NAME`): `rate=50`, `seconds=10`, `rounds=2`, `limitSeconds=3`,
 * `env=K=V,K=V` (extra service environment, e.g. worker tuning), `probe=1` (preload
 * bench/latency-probe.js into the service: the main thread's event-loop delay and GC pauses
 * during each round), `histograms=0` (leave out the per-round lines from the service's own latency
 * histograms: the API's sign, the SDK worker's task, activation, local-activity and gRPC
 * latencies; bench/latency-histograms.ts).
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { demoTokens } from '../db/seed/demo';
import { kaifengUnits } from '../db/seed/kaifengUnits';
import { bareGetRate, postgresCommitRate } from './machine-limits';
import { histogramsBetween, readHistograms } from './latency-histograms';
import { Http, ServiceProcess, freePort, openLoop, percentile, seedWorkOrders, sleep, waitForRows, type Reply } from './scale-support';

const argv = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const flag = argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return process.env[`STEADY_${name.toUpperCase()}`] ?? fallback;
}
const opts = {
  rate: Number(option('rate', '50')),
  seconds: Number(option('seconds', '10')),
  rounds: Number(option('rounds', '2')),
  limitSeconds: Number(option('limitSeconds', '3')),
  env: option('env', ''),
  probe: option('probe', '0') === '1',
  histograms: option('histograms', '1') === '1',
};
const extraEnv = Object.fromEntries(
  opts.env
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '—');
const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const unitIds = kaifengUnits.filter((u) => u.id !== 'kf-000').map((u) => u.id);

function describe(latencies: number[]): string {
  const s = [...latencies].sort((a, b) => a - b);
  return `p50 ${f0(percentile(s, 50))} ms, p95 ${f0(percentile(s, 95))} ms, p99 ${f0(percentile(s, 99))} ms, max ${f0(s[s.length - 1])} ms`;
}

let serviceWarnings = 0;

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'bench-steady-'));
  // Run as root, the embedded PostgreSQL runs as user postgres: it must enter this folder.
  await chmod(base, 0o711);
  const probeFile = path.join(base, 'probe.jsonl');
  console.log(`bench:steady ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${loadavg()}`);
  console.log(`options: ${JSON.stringify(opts)}`);
  const service = new ServiceProcess({
    dataDir: path.join(base, 'data'),
    port: await freePort(),
    enginePort: await freePort(),
    pgPort: await freePort(),
    extraEnv: { ...extraEnv, ...(opts.probe ? { LATENCY_PROBE_FILE: probeFile } : {}) },
    // The service's warnings and errors (its JSON log at LOG_LEVEL=warn), counted and the first few shown.
    onLine: (line) => {
      if (++serviceWarnings <= 12) console.log(`service: ${line.replace(/"payload[A-Za-z]*":("[^"]*"|\d+),?/g, "").slice(0, 700)}`);
    },
    nodeArgs: opts.probe ? ['-r', path.join(__dirname, 'latency-probe.js')] : [],
  });
  const http = new Http(service.url, 512);
  let pool: Pool | undefined;
  try {
    await service.start();
    const tokens = demoTokens(service.demoSecret());
    pool = new Pool({ connectionString: service.databaseUrl(), max: 8 });
    const pgRate = await postgresCommitRate(service.databaseUrl(), 32, opts.limitSeconds);
    const get = await bareGetRate(http, tokens.center, 32, opts.limitSeconds);
    console.log(`machine limits (same run): PostgreSQL single-row commits ${f0(pgRate)}/s (32 clients); API bare GET ${f0(get.rate)}/s, p50 ${f0(get.p50)} ms, p99 ${f0(get.p99)} ms (32 clients)`);

    const perRound = opts.rate * opts.seconds;
    const ids = await seedWorkOrders(pool, service.temporalAddress, perRound * opts.rounds, { unitIds, now: new Date(), label: 'steady' });
    await waitForRows(pool, 'SELECT count(*) AS n FROM work_orders WHERE id = ANY($1)', [ids], ids.length, 900);
    const owner = new Map<string, string>();
    const { rows } = await pool.query<{ id: string; main_unit_id: string }>('SELECT id, main_unit_id FROM work_orders WHERE id = ANY($1)', [ids]);
    for (const row of rows) owner.set(row.id, row.main_unit_id);
    const all: number[] = [];
    let firstError = '';
    for (let round = 0; round < opts.rounds; round++) {
      await sleep(3000); // the seeding's tail (notifications, visibility) settles
      if (opts.probe) process.kill(service.pid, 'SIGWINCH'); // reset the probe's window
      const latencies: number[] = [];
      const slice = ids.slice(round * perRound, (round + 1) * perRound);
      const before = loadavg();
      const histogramsBefore = await readHistograms(http, tokens.admin);
      const r = await openLoop(slice.length, opts.rate, async (i): Promise<Reply> => {
        const reply = await http.request('POST', `/tickets/${slice[i]}/sign`, tokens.units[owner.get(slice[i])!], {});
        if (reply.status === 200) latencies.push(reply.ms);
        else if (!firstError) firstError = `${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`;
        return reply;
      });
      all.push(...latencies);
      let probe = '';
      if (opts.probe) {
        const lines = () => readFile(probeFile, 'utf8').then((t) => t.trim().split('\n'), () => [] as string[]);
        const seen = (await lines()).length;
        process.kill(service.pid, 'SIGWINCH');
        for (let i = 0; i < 50 && (await lines()).length === seen; i++) await sleep(100);
        probe = `; service main thread: ${(await lines()).pop()}`;
      }
      console.log(`round ${round + 1}: ${f0(r.rate)}/s sent ${slice.length}, ok ${r.ok}, errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.statuses)}` : ''}; ${describe(latencies)}; load ${before} → ${loadavg()}${probe}`);
      if (opts.histograms) for (const line of histogramsBetween(histogramsBefore, await readHistograms(http, tokens.admin))) console.log(`  ${line}`);
    }
    if (firstError) console.log(`first error: ${firstError}`);
    console.log(`all rounds (${all.length} signs at ${opts.rate}/s): ${describe(all)}; load ${loadavg()}`);
  } finally {
    http.close();
    await pool?.end();
    await service.stop();
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
