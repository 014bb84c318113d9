/**
 * A clone inside a folder only root can enter (mode 0700, like /root), run as root (issue 15):
 * PostgreSQL runs as user `postgres`, which can reach neither the binaries under node_modules nor
 * DATA_DIR. The embedded PostgreSQL copies its binaries to a cache every user can enter and keeps
 * the cluster of such a DATA_DIR under /var/lib/hotline-postgres; a test file that needs
 * PostgreSQL and `npm start` both work from the clone.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { embeddedClusterDir } from '../../db/embeddedLocation';
import { repoRoot, runScript, startScript } from '../support/startScript';

const asRoot = process.getuid?.() === 0;
let closed: string;
let clone: string;
let cache: string;

beforeAll(async () => {
  if (!asRoot) return;
  closed = await mkdtemp(path.join(os.tmpdir(), 'hotline-closed-'));
  expect((await stat(closed)).mode & 0o777).toBe(0o700);
  clone = path.join(closed, 'repo');
  await mkdir(clone);
  // The working tree as a clone would have it (tracked and new files), and node_modules as
  // hard links (no copy of 300 MB; the paths are inside the closed folder all the same).
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  execFileSync('cp', ['--parents', '-a', ...files, clone], { cwd: repoRoot });
  try {
    execFileSync('cp', ['-al', path.join(repoRoot, 'node_modules'), clone]);
  } catch {
    execFileSync('cp', ['-a', path.join(repoRoot, 'node_modules'), clone]);
  }
  cache = await mkdtemp(path.join(os.tmpdir(), 'hotline-pg-cache-'));
  await chmod(cache, 0o755);
}, 300_000);

afterAll(async () => {
  if (!asRoot) return;
  const dataDir = path.join(clone, '.data');
  const relocated = await embeddedClusterDir(dataDir).catch(() => undefined);
  if (relocated?.relocated) await rm(path.dirname(relocated.dir), { recursive: true, force: true });
  await rm(closed, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
});

(asRoot ? test : test.skip)('a PostgreSQL test file passes in the clone', async () => {
  const run = await runScript([path.join(clone, 'node_modules/jest/bin/jest.js'), '--runInBand', 'test/db/migrations.test.ts'], { EMBEDDED_PG_CACHE: cache }, clone);
  expect(`${run.code}\n${run.stderr.slice(-3000)}`).toMatch(/^0\n/);
  expect(run.stderr).toMatch(/Tests:\s+\d+ passed/);
}, 300_000);

(asRoot ? test : test.skip)('npm start works from the clone with its default DATA_DIR', async () => {
  const tsNode = path.join(clone, 'node_modules/ts-node/dist/bin.js');
  const service = await startScript({
    argv: [tsNode, '--transpile-only', 'scripts/start.ts'],
    cwd: clone,
    env: { SANDBOX: '1', PORT: '0', ENGINE_PORT: '0', EMBEDDED_PG_CACHE: cache, DATA_DIR: '' },
  });
  try {
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(service.stdout()).toContain('/var/lib/hotline-postgres/');
  } finally {
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  }
}, 300_000);
