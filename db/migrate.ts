/**
 * Schema migrations: applies `db/migrations/*.sql` (node-pg-migrate SQL files, run in file-name
 * order, all pending ones in one transaction, bookkept in table `pgmigrations`).
 *
 * node-pg-migrate 9 is an ES module that jest's CommonJS runtime cannot load, so the runner
 * lives in `db/migrate-runner.mjs` and runs as a short child process. Same path everywhere:
 * start script, worker, tests.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

/** Where the SQL migration files live. */
export const migrationsDir = path.join(__dirname, 'migrations');

/**
 * Applies every pending migration to the database at `databaseUrl`.
 *
 * @param databaseUrl - a `postgres://` connection string
 * @returns the names of the migrations applied by this call (empty when already up to date)
 * @throws Error with node-pg-migrate's message when a migration fails
 */
export function migrate(databaseUrl: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, 'migrate-runner.mjs')],
      { env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const last = stdout.trim().split('\n').pop() ?? '';
        let outcome: { applied?: string[]; error?: string } = {};
        try {
          outcome = JSON.parse(last) as typeof outcome;
        } catch {
          // no JSON line: the process died before answering
        }
        if (outcome.applied) return resolve(outcome.applied);
        reject(new Error(`migration failed: ${outcome.error ?? error?.message ?? 'unknown error'}\n${stderr.slice(-2000)}`));
      },
    );
  });
}
