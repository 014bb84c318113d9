/**
 * `npm run create-admin -- --name <姓名> [--id <user id>]`: creates the first administrator of an
 * installation (or a new token for an existing administrator) and prints its token ONCE, to this
 * terminal only (never to a log): the database keeps its SHA-256 only.
 *
 * Uses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (the running one if the service is
 * up; otherwise it starts it for the moment).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { userIdSchema } from '../api/admin/usersRepository';
import { ConfigError, loadConfig } from '../api/config';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { embeddedClusterDir, persistentSecret, runningClusterPort } from '../db/embeddedLocation';
import { createAdmin } from '../db/firstAdmin';
import { migrate } from '../db/migrate';

const usage = 'usage: npm run create-admin -- --name <姓名> [--id <user id, default admin>]';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { name: { type: 'string' }, id: { type: 'string', default: 'admin' } } }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const name = args.name?.trim();
  const id = userIdSchema.safeParse(args.id);
  if (!name || !id.success) {
    process.stderr.write(`${!name ? '--name is required' : `--id: ${id.error?.issues[0]?.message}`}\n${usage}\n`);
    return 2;
  }
  const config = loadConfig();

  const stops: (() => Promise<unknown>)[] = [];
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const dataDir = path.resolve(config.DATA_DIR);
      await mkdir(dataDir, { recursive: true });
      const password = await persistentSecret(path.join(dataDir, 'postgres-password'), () => randomBytes(24).toString('hex'));
      const { dir } = await embeddedClusterDir(dataDir);
      const port = await runningClusterPort(dir);
      if (port) {
        databaseUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/hotline`;
      } else {
        const cluster = await startEmbeddedPostgres({ dataDir: dir, password });
        stops.push(() => cluster.stop());
        await cluster.ensureDatabase('hotline');
        databaseUrl = cluster.url('hotline');
      }
    }
    await migrate(databaseUrl);
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    stops.push(() => pool.end());
    const admin = await createAdmin(pool, id.data, name);
    process.stdout.write(
      [
        admin.created ? `administrator ${admin.userId} (${name}) created.` : `administrator ${admin.userId}: a new token was issued.`,
        'Its token, shown this once only (keep it in a password manager; Authorization: Bearer <token>):',
        '',
        `  ${admin.token}`,
        '',
        'Revoke it later with DELETE /admin/users/:id/tokens/:tokenId once other administrators exist.',
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`create-admin failed: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
