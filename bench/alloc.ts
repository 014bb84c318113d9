/**
 * Bytes allocated per creation, by thread and by function (issue 9: GC is a third of a
 * creation's CPU, so allocation volume is a lever): `npm run bench:alloc [-- --create=300 --clients=16]`.
 *
 * Runs the service as `npm start` does (a child process, embedded PostgreSQL, sandbox off) with
 * bench/alloc-probe.js preloaded, warms it up, then samples every allocation (objects that GC
 * collected included) in every JS thread during the creations alone, and prints per creation
 * the bytes each thread allocated, by area (our folders, each package) and the top functions.
 * Counts, not times: far less sensitive to the machine's load than CPU figures.
 *
 * `--survivors`: only what survived a young GC (promoted to the old generation, or still live at
 * the end): what the full GCs behind the steady tail collect (README, Scale: tenth batch).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoTokens } from '../db/seed/demo';
import { kaifengUnits } from '../db/seed/kaifengUnits';
import { Http, ServiceProcess, closedLoop, freePort, ticketCreator, codeArea } from './scale-support';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const createCount = option('create', 300);
const clients = option('clients', 16);
const top = option('top', 30);
const survivors = argv.includes('--survivors');
const unitIds = kaifengUnits.filter((u) => u.id !== 'kf-000').map((u) => u.id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  id: number;
  children: HeapNode[];
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'hotline-alloc-'));
  const probeDir = path.join(base, 'probe');
  const service = new ServiceProcess({
    dataDir: path.join(base, 'data'),
    port: await freePort(),
    enginePort: await freePort(),
    pgPort: await freePort(),
    nodeArgs: ['-r', path.join(__dirname, 'alloc-probe.js')],
    extraEnv: { ALLOC_PROBE_DIR: probeDir, ...(survivors ? { ALLOC_PROBE_SURVIVORS: '1' } : {}) },
  });
  const loadAtStart = os.loadavg();
  try {
    await service.start();
    const tokens = demoTokens(service.demoSecret());
    const http = new Http(service.url, 256);
    const { create } = ticketCreator(http, tokens.center, unitIds, 'alloc');
    await closedLoop(100, 8, 120, create(0)); // warm-up (JIT, pools, caches)
    service.child!.kill('SIGWINCH');
    await sleep(500);
    const load = await closedLoop(createCount, clients, 300, create(1000));
    service.child!.kill('SIGWINCH');
    for (let i = 0; i < 100 && (await readdir(probeDir).catch(() => [])).length < 2; i++) await sleep(200);
    await sleep(500);
    http.close();
    console.log(`bench:alloc ${new Date().toISOString()} — load ${loadAtStart.map((l) => l.toFixed(1)).join(' ')} → ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`=== create: ${createCount} ops, ${clients} clients, ${load.rate.toFixed(1)}/s, errors ${load.errors}`);
    for (const file of (await readdir(probeDir)).sort()) {
      const { head } = JSON.parse(await readFile(path.join(probeDir, file), 'utf8')) as { head: HeapNode };
      const areas = new Map<string, number>();
      const fns = new Map<string, number>();
      const selfFns = new Map<string, number>();
      let total = 0;
      const walk = (n: HeapNode, stack: string[]) => {
        const a = codeArea(n.callFrame.url, n.callFrame.functionName);
        total += n.selfSize;
        areas.set(a, (areas.get(a) ?? 0) + n.selfSize);
        const key = `${n.callFrame.functionName || '(anonymous)'} ${a}:${n.callFrame.lineNumber + 1}${stack.length ? ` ← ${stack.slice(-2).join(' ← ')}` : ''}`;
        fns.set(key, (fns.get(key) ?? 0) + n.selfSize);
        const fn = `${n.callFrame.functionName || '(anonymous)'} ${a}:${n.callFrame.lineNumber + 1}`;
        selfFns.set(fn, (selfFns.get(fn) ?? 0) + n.selfSize);
        const own = `${n.callFrame.functionName || '(anon)'}@${a}:${n.callFrame.lineNumber + 1}`;
        for (const c of n.children) walk(c, [...stack.slice(-3), own]);
      };
      walk(head, []);
      const kb = (b: number) => `${(b / 1024 / createCount).toFixed(1)} KB/op`;
      console.log(`\n  thread ${file.replace('.heapprofile', '')}: ${kb(total)} ${survivors ? 'survived a young GC' : 'allocated'}`);
      for (const [k, b] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, 16)) console.log(`    ${kb(b).padStart(14)}  ${k}`);
      console.log('    top functions:');
      for (const [k, b] of [...selfFns].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`    ${kb(b).padStart(14)}  ${k}`);
      console.log('    top allocation sites (function ← callers):');
      for (const [k, b] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`    ${kb(b).padStart(14)}  ${k}`);
    }
  } finally {
    await service.stop();
    if (!process.env.ALLOC_KEEP) await rm(base, { recursive: true, force: true });
    else console.log(`kept ${base}`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
