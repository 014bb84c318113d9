import { Pool } from 'pg';
import { migrate } from '../../db/migrate';
import { startTestPostgres, TestPostgres } from '../support/postgres';

let db: TestPostgres;
beforeAll(async () => {
  db = await startTestPostgres();
}, 120_000);
afterAll(() => db?.stop());

test('every migration file is applied once and recorded', async () => {
  const { rows } = await db.pool.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY run_on, id');
  expect(rows.map((r) => r.name)).toContain('0001_directory');
  // A second run finds nothing to do.
  expect(await migrate(db.databaseUrl)).toEqual([]);
});

test('a fresh database gets the whole schema in one call', async () => {
  const url = await db.freshDatabase();
  const pool = new Pool({ connectionString: url });
  try {
    const { rows } = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const tables = rows.map((r) => r.table_name);
    for (const table of ['units', 'users', 'api_tokens', 'hotline_settings', 'calendar_exceptions', 'idempotency_keys']) {
      expect(tables).toContain(table);
    }
  } finally {
    await pool.end();
  }
});

test('the outbox tables carry no index that no query reads (0012)', async () => {
  const { rows } = await db.pool.query<{ indexname: string }>(
    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('work_orders', 'work_order_events')",
  );
  const names = rows.map((r) => r.indexname);
  for (const gone of ['work_orders_unit_ids_idx', 'work_orders_co_unit_ids_idx', 'work_order_events_unit_idx']) expect(names).not.toContain(gone);
  // What the API and the metrics read stays.
  for (const kept of ['work_orders_main_unit_idx', 'work_orders_next_deadline_idx', 'work_order_events_type_at_idx']) expect(names).toContain(kept);
});

test('the directory enforces its rules', async () => {
  await db.pool.query("INSERT INTO units (id, name, kind, sector) VALUES ('u1', '市公安局', 'level1', 'department')");
  await db.pool.query("INSERT INTO units (id, name, kind, parent_id) VALUES ('u2', '市公安局交通警察支队', 'level2', 'u1')");
  // a unit user must name its unit; other roles must not
  await expect(db.pool.query("INSERT INTO users (id, name, role) VALUES ('x', 'x', 'unit')")).rejects.toThrow(/check/i);
  await expect(
    db.pool.query("INSERT INTO users (id, name, role, unit_id) VALUES ('y', 'y', 'center', 'u1')"),
  ).rejects.toThrow(/check/i);
  // tokens are stored as SHA-256 hex only
  await db.pool.query("INSERT INTO users (id, name, role, unit_id) VALUES ('z', 'z', 'unit', 'u2')");
  await expect(
    db.pool.query("INSERT INTO api_tokens (id, user_id, token_hash) VALUES ('t', 'z', 'plain-token')"),
  ).rejects.toThrow(/check/i);
  // a parent cannot be removed while children point at it
  await expect(db.pool.query("DELETE FROM units WHERE id = 'u1'")).rejects.toThrow(/foreign key/i);
  await expect(db.pool.query("INSERT INTO units (id, name, kind) VALUES ('bad', 'b', 'team')")).rejects.toThrow(/check/i);
});

test('a broken migration is reported with its error', async () => {
  await expect(migrate('postgres://postgres:wrong@127.0.0.1:1/none')).rejects.toThrow(/migration failed/);
});
