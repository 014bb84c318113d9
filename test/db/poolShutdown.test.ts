/**
 * The service's pool closes every connection before PostgreSQL stops (issue 15: a clean Ctrl-C
 * logged "idle database connection lost" because pool.end() resolves before its connections
 * are closed, and PostgreSQL's stop then terminated them).
 */
import { Pool, type PoolClient } from 'pg';
import { trackConnections } from '../../db/poolShutdown';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

let db: TestPostgres | undefined;
afterAll(() => db?.stop());

test('end() resolves once every connection the pool opened is closed; stopping PostgreSQL then raises nothing', async () => {
  db = await startTestPostgres();
  const pool = new Pool({ connectionString: db.databaseUrl, max: 6 });
  const errors: Error[] = [];
  pool.on('error', (error) => errors.push(error));
  const connections = trackConnections(pool);
  const clients: PoolClient[] = [];
  const ended = new Set<PoolClient>();
  pool.on('connect', (client) => {
    clients.push(client);
    client.on('end', () => ended.add(client));
  });
  // Six idle connections, as a service has after some traffic.
  await Promise.all(Array.from({ length: 6 }, () => pool.query('SELECT pg_sleep(0.05)')));
  expect(clients).toHaveLength(6);

  await connections.end();
  expect(ended.size).toBe(clients.length);
  const other = new Pool({ connectionString: db.databaseUrl, max: 1 });
  const { rows } = await other.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
  await other.end();
  // Only the test helper's own pool (db.pool) may still be connected.
  expect(Number(rows[0].n)).toBeLessThanOrEqual(db.pool.totalCount);

  await db.stop();
  db = undefined;
  await new Promise((r) => setTimeout(r, 200));
  expect(errors).toEqual([]);
}, 180_000);
