// Applies db/migrations/*.sql with node-pg-migrate. A separate ES-module process because
// node-pg-migrate 9 is ESM-only and jest's CommonJS runtime cannot load it (see db/migrate.ts).
// Input: DATABASE_URL in the environment. Output: one JSON line {"applied":[names]} on stdout.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

const here = path.dirname(fileURLToPath(import.meta.url));
const lines = [];
try {
  const applied = await runner({
    databaseUrl: process.env.DATABASE_URL,
    dir: path.join(here, 'migrations'),
    migrationsTable: 'pgmigrations',
    direction: 'up',
    checkOrder: true,
    singleTransaction: true,
    // Several processes (API, worker) may start together against one database: queue, don't fail.
    advisoryLockMode: 'wait',
    log: (message) => lines.push(message),
  });
  process.stdout.write(`${JSON.stringify({ applied: applied.map((m) => m.name) })}\n`);
} catch (error) {
  process.stderr.write(`${lines.slice(-20).join('\n')}\n`);
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exit(1);
}
