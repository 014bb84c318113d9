import type { ClientBase } from 'pg';

/**
 * The engine's own tables. The store creates them at start (the engine does not depend on the
 * application's migrations), in a schema of its own, every name prefixed `engine_`.
 *
 * - `engine_runs`: one row per run; `last_event_id` is the id of the last stored event, the
 *   check that keeps every run's event ids contiguous; `state` holds what the engine must keep
 *   about a run that its history does not say and its mutable state (see `DerivedUpdate`);
 *   `start` what start-up needs of the start event (see `RunRecord.start`).
 * - `engine_history`: the event log, one row per acknowledged append (a protobuf `History` blob
 *   holding events `first_event_id..last_event_id`), as Temporal stores history in batches.
 * - `engine_visibility`: the list/count row of each run.
 * - `engine_namespaces`: namespace records.
 * - `engine_meta`: the schema version.
 */
export const SCHEMA_VERSION = 1;

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates the schema and tables if missing; refuses a schema written by a newer engine. */
export async function ensureSchema(client: ClientBase, schema: string): Promise<void> {
  const s = ident(schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await client.query(`
    CREATE TABLE IF NOT EXISTS ${s}.engine_meta (
      key text PRIMARY KEY,
      value text NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.engine_namespaces (
      name text PRIMARY KEY,
      record jsonb NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.engine_runs (
      run_key text PRIMARY KEY,
      namespace text NOT NULL,
      workflow_id text NOT NULL,
      run_id text NOT NULL,
      last_event_id integer NOT NULL,
      state jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS ${s}.engine_history (
      run_key text NOT NULL,
      first_event_id integer NOT NULL,
      last_event_id integer NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (run_key, first_event_id)
    );
    CREATE TABLE IF NOT EXISTS ${s}.engine_visibility (
      run_key text PRIMARY KEY,
      namespace text NOT NULL,
      workflow_id text NOT NULL,
      run_id text NOT NULL,
      workflow_type text NOT NULL,
      status text NOT NULL,
      start_time bigint NOT NULL,
      close_time bigint,
      record jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS engine_visibility_namespace ON ${s}.engine_visibility (namespace, start_time DESC);
    CREATE INDEX IF NOT EXISTS engine_visibility_open ON ${s}.engine_visibility (run_key) WHERE status = 'WORKFLOW_EXECUTION_STATUS_RUNNING';
    CREATE INDEX IF NOT EXISTS engine_visibility_closed ON ${s}.engine_visibility (namespace, close_time) WHERE status <> 'WORKFLOW_EXECUTION_STATUS_RUNNING';
    -- The start event's attributes without worker-only payloads (start-up reads them, not history).
    ALTER TABLE ${s}.engine_runs ADD COLUMN IF NOT EXISTS start jsonb;
    CREATE INDEX IF NOT EXISTS engine_runs_workflow ON ${s}.engine_runs (namespace, workflow_id, created_at DESC);
    -- Every append rewrites its run's row (last event id, snapshot) and may rewrite its visibility
    -- row; free room on each page lets PostgreSQL keep the new version on the same page without
    -- touching the indexes (a HOT update). Affects pages written from now on.
    ALTER TABLE ${s}.engine_runs SET (fillfactor = 70);
    ALTER TABLE ${s}.engine_visibility SET (fillfactor = 80);
    -- History blobs and run snapshots up to a page's usable size stay inline and uncompressed:
    -- beyond 2 KB (the default target) each was compressed with pglz and moved in chunks to a
    -- TOAST table, a second heap and index written (and, for a snapshot, deleted) per append.
    ALTER TABLE ${s}.engine_history SET (toast_tuple_target = 8160);
    ALTER TABLE ${s}.engine_runs SET (toast_tuple_target = 8160);
  `);
  const found = await client.query<{ value: string }>(`SELECT value FROM ${s}.engine_meta WHERE key = 'schema_version'`);
  if (found.rowCount === 0) {
    await client.query(`INSERT INTO ${s}.engine_meta (key, value) VALUES ('schema_version', $1)`, [String(SCHEMA_VERSION)]);
  } else if (Number(found.rows[0].value) > SCHEMA_VERSION) {
    throw new Error(`engine tables in schema "${schema}" were written by a newer engine (schema version ${found.rows[0].value}, this engine knows ${SCHEMA_VERSION})`);
  }
}

/**
 * The two-key advisory lock that marks "an engine runs on this schema". Key 1 is fixed, key 2 is
 * `hashtext(schema)`, so engines on different schemas of one database do not exclude each other.
 */
export const LOCK_CLASS_ID = 0x12345;

export interface LockHolder {
  pid: number;
  applicationName: string;
  clientAddr: string | null;
  backendStart: Date | null;
}

/** Tries to take the engine lock on this session; true when taken. */
export async function tryEngineLock(client: ClientBase, schema: string): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_CLASS_ID, schema]);
  return r.rows[0].ok;
}

/** Who holds the engine lock of a schema (for the refusal message), if anyone. */
export async function engineLockHolder(client: ClientBase, schema: string): Promise<LockHolder | undefined> {
  const r = await client.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date | null }>(
    `SELECT a.pid, a.application_name, a.client_addr::text AS client_addr, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1::int::oid AND l.objid = hashtext($2)::oid AND l.objsubid = 2`,
    [LOCK_CLASS_ID, schema],
  );
  const row = r.rows[0];
  return row ? { pid: row.pid, applicationName: row.application_name, clientAddr: row.client_addr, backendStart: row.backend_start } : undefined;
}
