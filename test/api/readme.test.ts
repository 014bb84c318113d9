/**
 * The README's sandbox walk-through, run as written (bash + curl) against `npm start` in sandbox
 * mode: one work order from creation to close, a refused action, the clock moved, an overdue
 * work order escalated, the monthly CSV.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
let child: ChildProcess | undefined;
let dir: string;

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the curl walk-through works as written', async () => {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A work order from creation to close'));
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks[0]).toContain('SANDBOX=1');
  const start = /SANDBOX_START=(\S+)/.exec(blocks[0])![1];

  dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-readme-'));
  await chmod(dir, 0o711); // like a checkout: the embedded PostgreSQL's user may enter it
  const dataDir = path.join(dir, '.data');
  child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', SANDBOX: '1', SANDBOX_START: start, DATA_DIR: dataDir, PORT: '0', ENGINE_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${out}\n${err.slice(-3000)}`)), 90_000);
    child!.once('exit', (code) => reject(new Error(`exited ${code}: ${out}\n${err.slice(-3000)}`)));
    child!.stdout!.on('data', () => {
      const line = out.split('\n').find((l) => l.includes('"service ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    });
  });

  // As written, but pointed at this instance (its port and data folder).
  const script = blocks[1].replace('http://127.0.0.1:3000', url).replace(/\.\/\.data\//g, `${dataDir}/`);
  const output = await new Promise<string>((resolve, reject) =>
    execFile(
      'bash',
      // Traced with timestamps, so a slow step shows in the failure.
      // As written, without any sleep: clock/advance answers once what fell due is recorded.
      ['-c', `PS4='+ $(date +%T.%N) '\nset -x\n${script}`],
      { cwd: dir, timeout: 150_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message.split('\n')[0]}\n${stderr}\n${stdout}`)) : resolve(stdout)),
    ),
  );
  expect(output).toContain('"stage":"closed"');
  expect(output).toContain('"type":"WORK_ORDER_CLOSED"');
  expect(output).toMatch(/"now":"2026-03-04T/);
  expect(output).toContain('month,unitId,unitName');
  expect(output).toMatch(/"overdue":true/);
  // The urge at Monday ~17:00 (+08:00), the second urge at the deadline, Tuesday ~09:00, and the
  // escalation a working day later (001 三(三): two 催办 before 督办), each at its own instant.
  expect(output).toMatch(/"at":"2026-03-02T09:\d\d:[\d.]+Z","type":"urged"/);
  expect(output).toMatch(/"at":"2026-03-03T01:\d\d:[\d.]+Z","type":"urged"/);
  expect(output).toMatch(/"at":"2026-03-04T01:\d\d:[\d.]+Z","type":"escalated"/);
  expect(output).toContain('newWorkOrder');
  // The unit's replies never carried the caller's phone.
  const unitPart = output.slice(0, output.indexOf('"type":"WORK_ORDER_CLOSED"'));
  expect(unitPart.split('"stage":"handling"').length).toBeGreaterThan(1);
}, 300_000);
