/**
 * One embedded PostgreSQL per jest test file: a throw-away cluster under the OS temp dir, a fresh
 * database with every migration applied.
 *
 * @example
 * let db: TestPostgres;
 * beforeAll(async () => { db = await startTestPostgres(); }, 120_000);
 * afterAll(() => db?.stop());
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { startEmbeddedPostgres } from '../../db/embeddedPostgres';
import { migrate } from '../../db/migrate';

export interface TestPostgres {
  /** A pool on the migrated database. */
  pool: Pool;
  /** Its connection string (for a worker, an engine or a second pool). */
  databaseUrl: string;
  /** Starts another fresh, migrated database on the same cluster. */
  freshDatabase(): Promise<string>;
  /** Closes the pool, stops the cluster and deletes its files. */
  stop(): Promise<void>;
}

let counter = 0;

/**
 * Starts a cluster, creates a database and migrates it.
 *
 * @param options.migrate - false to get an empty database (migration tests)
 */
export async function startTestPostgres(options: { migrate?: boolean } = {}): Promise<TestPostgres> {
  // Run as root, PostgreSQL runs as `postgres`, which needs to create the data dir: 0777 parent.
  const base = await mkdtemp(path.join(os.tmpdir(), 'hotline-pg-'));
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(base, 'data'),
    persistent: false,
    // Durability is irrelevant for a throw-away cluster; speed is not.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  }).catch(async (error: unknown) => {
    await rm(base, { recursive: true, force: true });
    throw error;
  });
  const freshDatabase = async () => {
    const name = `test_${process.pid}_${++counter}`;
    await cluster.ensureDatabase(name);
    const url = cluster.url(name);
    if (options.migrate !== false) await migrate(url);
    return url;
  };
  try {
    const databaseUrl = await freshDatabase();
    const pool = new Pool({ connectionString: databaseUrl, max: 10 });
    // Idle clients see the server's shutdown as an error; expected when the file ends.
    pool.on('error', () => undefined);
    return {
      pool,
      databaseUrl,
      freshDatabase,
      async stop() {
        await pool.end().catch(() => undefined);
        await cluster.stop();
        await rm(base, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await cluster.stop();
    await rm(base, { recursive: true, force: true });
    throw error;
  }
}
