import os from 'node:os';
import { Client, Pool, type PoolConfig } from 'pg';
import type { Msg } from '../proto';
import { decodeEvents, encodeEvents, fromJsonValue, toJsonValue } from './pgCodec';
import { GroupCommitter, type GroupCommitStats, type GroupOp, type OpOutcome } from './pgGroupCommit';
import { engineLockHolder, ensureSchema, ident, tryEngineLock } from './pgSchema';
import type { DerivedUpdate, EngineStore, NamespaceRecord, RunRecord, RunStart, RunStateSnapshot, StoredRun, StoredRunHead, VisibilityRecord } from './store';

export interface PostgresStoreOptions {
  /** `postgres://...` of the database the engine keeps its state in. */
  databaseUrl: string;
  /** Schema of the engine tables (created if missing). Default `engine`. */
  schema?: string;
  /**
   * How long {@link PostgresStore.open} waits for another engine's lock before refusing to
   * start. A killed engine's session ends as soon as PostgreSQL sees its socket close, which can
   * take a moment. Default 5 000 ms.
   */
  lockWaitMs?: number;
  /** Most writes committed together in one group commit. Default 500. */
  maxBatch?: number;
  /** Group-commit batches committing at once. Default 2. */
  maxInFlight?: number;
  /** Connections for writes and reads (the lock uses one more of its own). Default 4. */
  poolSize?: number;
  /**
   * Called when the store can no longer guarantee it is the only engine on the database (its
   * lock session died). The engine must stop serving; the CLI exits. Default: logs to stderr.
   */
  onFatal?: (err: Error) => void;
}

const RUNNING = 'WORKFLOW_EXECUTION_STATUS_RUNNING';

/** One queued write of the group committer. */
interface WriteOp {
  kind: 'create' | 'append';
  run: RunRecord | { runKey: string };
  first: number | null;
  last: number | null;
  blob: Buffer | null;
  state?: RunStateSnapshot;
  visibility?: VisibilityRecord;
}

/** Thrown by {@link PostgresStore.open} when another engine already holds the database. */
export class EngineLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineLockedError';
  }
}

/**
 * The PostgreSQL {@link EngineStore}.
 *
 * - Every call is one transaction (one SQL statement, so one round trip); concurrent appends of
 *   different runs are group-committed: they share one statement and one commit.
 * - Each append checks, in the same statement, that its first event id follows the stored last
 *   event id of its run; a write that does not follow is refused alone, the others commit.
 * - Only one engine may use a schema: {@link PostgresStore.open} takes a session advisory lock
 *   on a connection of its own and keeps it until {@link PostgresStore.close}; a second engine
 *   is refused with {@link EngineLockedError} naming the session that holds the lock.
 *
 * @example
 * ```ts
 * const store = await PostgresStore.open({ databaseUrl: process.env.DATABASE_URL! });
 * const engine = await startEngine({ store });
 * ```
 */
export class PostgresStore implements EngineStore {
  private readonly s: string;
  private readonly committer: GroupCommitter<WriteOp>;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly lockClient: Client,
    readonly schema: string,
    options: PostgresStoreOptions,
  ) {
    this.s = ident(schema);
    this.committer = new GroupCommitter<WriteOp>((ops) => this.commitBatch(ops), {
      maxBatch: options.maxBatch ?? 500,
      maxInFlight: options.maxInFlight ?? 2,
    });
  }

  /**
   * Connects, takes the single-engine lock and creates the tables if missing.
   *
   * @throws {@link EngineLockedError} when another engine runs on the same database schema.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'engine';
    const applicationName = `hotline-engine pid ${process.pid} on ${os.hostname()}`.slice(0, 63);
    const onFatal = options.onFatal ?? ((err: Error) => console.error(`[engine] ${err.message}`));
    const lockClient = new Client({ connectionString: options.databaseUrl, application_name: applicationName, keepAlive: true });
    await lockClient.connect();
    let closing = false;
    const lost = (why: string) => {
      if (!closing) onFatal(new Error(`engine lost its PostgreSQL lock session (${why}); another engine could now take the database, so this one must stop`));
    };
    lockClient.on('error', (err) => lost(err.message));
    lockClient.on('end', () => lost('connection closed'));
    try {
      await acquireLock(lockClient, schema, options.lockWaitMs ?? 5_000);
      await ensureSchema(lockClient, schema);
    } catch (err) {
      closing = true;
      await lockClient.end().catch(() => undefined);
      throw err;
    }
    const poolConfig: PoolConfig = { connectionString: options.databaseUrl, max: options.poolSize ?? 4, application_name: applicationName, keepAlive: true };
    const pool = new Pool(poolConfig);
    // An idle pooled connection that dies is replaced on next use; only log it.
    pool.on('error', (err) => console.error(`[engine] idle PostgreSQL connection failed: ${err.message}`));
    const store = new PostgresStore(pool, lockClient, schema, options);
    store.markClosing = () => {
      closing = true;
    };
    return store;
  }

  private markClosing: () => void = () => undefined;

  /** Group-commit counters (batches, ops, largest batch). */
  get stats(): GroupCommitStats {
    return { ...this.committer.stats };
  }

  /** Waits for queued writes, then releases the lock and closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.committer.close();
    await this.committer.idle();
    this.markClosing();
    await this.pool.end().catch(() => undefined);
    await this.lockClient.end().catch(() => undefined);
  }

  async saveNamespace(ns: NamespaceRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.engine_namespaces (name, record) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record`,
      [ns.name, JSON.stringify(toJsonValue(ns))],
    );
  }

  async listNamespaces(): Promise<NamespaceRecord[]> {
    const r = await this.pool.query<{ record: unknown }>(`SELECT record FROM ${this.s}.engine_namespaces ORDER BY name`);
    return r.rows.map((row) => fromJsonValue<NamespaceRecord>(row.record));
  }

  async createRun(run: RunRecord, events: Msg[], visibility: VisibilityRecord, state?: RunStateSnapshot): Promise<void> {
    await this.committer.submit(run.runKey, { kind: 'create', run, ...span(events), visibility, state });
  }

  async appendEvents(runKey: string, events: Msg[], derived: DerivedUpdate): Promise<void> {
    await this.committer.submit(runKey, { kind: 'append', run: { runKey }, ...span(events), visibility: derived.visibility, state: derived.runState });
  }

  async readEvents(runKey: string, fromEventId = 1): Promise<Msg[]> {
    const r = await this.pool.query<{ data: Buffer }>(
      `SELECT data FROM ${this.s}.engine_history WHERE run_key = $1 AND last_event_id >= $2 ORDER BY first_event_id`,
      [runKey, fromEventId],
    );
    const events: Msg[] = [];
    for (const row of r.rows) for (const e of decodeEvents(row.data)) if (Number(e.eventId) >= fromEventId) events.push(e);
    return events;
  }

  async listRuns(): Promise<RunRecord[]> {
    const r = await this.pool.query<{ run_key: string; namespace: string; workflow_id: string; run_id: string }>(
      `SELECT run_key, namespace, workflow_id, run_id FROM ${this.s}.engine_runs ORDER BY created_at, run_key`,
    );
    return r.rows.map((row) => ({ runKey: row.run_key, namespace: row.namespace, workflowId: row.workflow_id, runId: row.run_id }));
  }

  /** The run-state snapshot saved with the run's last write that carried one, if any. */
  async readRunState(runKey: string): Promise<Msg | undefined> {
    const r = await this.pool.query<{ state: unknown }>(`SELECT state FROM ${this.s}.engine_runs WHERE run_key = $1`, [runKey]);
    const state = r.rows[0]?.state;
    return state === null || state === undefined ? undefined : fromJsonValue<Msg>(state);
  }

  /** Every run with its events and snapshot, in two queries per page of runs. */
  async loadRuns(): Promise<StoredRun[]> {
    return this.loadWhere('TRUE');
  }

  /** Every open run (visibility status Running) with its events and snapshot (start-up). */
  async loadOpenRuns(): Promise<StoredRun[]> {
    return this.loadWhere(`r.run_key IN (SELECT run_key FROM ${this.s}.engine_visibility WHERE status = '${RUNNING}')`);
  }

  /**
   * Open runs' heads in pages of 5 000: one query each (runs by the partial index of open
   * visibility rows, with their snapshot and start; the first history row only for runs stored
   * without a start, by an older engine). The next page is asked for as soon as a page arrives,
   * so PostgreSQL reads it while the engine rebuilds the runs of this one (issue 9: at 100 000
   * open runs the two took turns, each waiting on the other).
   */
  async *openRunHeads(): AsyncIterable<StoredRunHead[]> {
    const s = this.s;
    const page = 5_000;
    type Row = { run_key: string; namespace: string; workflow_id: string; run_id: string; last_event_id: number; state: unknown; start: unknown; first: Buffer | null };
    const fetchPage = (after: string) =>
      this.pool.query<Row>(
        // Both sides start after the key: with it on `v` only, PostgreSQL read engine_runs from its
        // first row for every page (quadratic in open runs). The first event is looked up only
        // for a run without a start (a LEFT JOIN looked it up for every row and then dropped it).
        `SELECT r.run_key, r.namespace, r.workflow_id, r.run_id, r.last_event_id, r.state, r.start,
                CASE WHEN r.start IS NULL THEN (SELECT h.data FROM ${s}.engine_history h WHERE h.run_key = r.run_key AND h.first_event_id = 1) END AS first
           FROM ${s}.engine_visibility v
           JOIN ${s}.engine_runs r ON r.run_key = v.run_key
          WHERE v.status = '${RUNNING}' AND v.run_key > $1 AND r.run_key > $1
          ORDER BY v.run_key LIMIT ${page}`,
        [after],
      );
    let next: Promise<{ rows: Row[] }> | undefined = fetchPage('');
    try {
      while (next) {
        const { rows }: { rows: Row[] } = await next;
        // A short page is the last one.
        next = rows.length < page ? undefined : fetchPage(rows[rows.length - 1].run_key);
        if (rows.length === 0) return;
        yield rows.map((row) => ({
          run: {
            runKey: row.run_key,
            namespace: row.namespace,
            workflowId: row.workflow_id,
            runId: row.run_id,
            start: row.start === null || row.start === undefined ? undefined : fromJsonValue<RunStart>(row.start),
          },
          lastEventId: Number(row.last_event_id),
          firstEvent: row.first ? decodeEvents(row.first)[0] : undefined,
          state: row.state === null || row.state === undefined ? undefined : fromJsonValue<Msg>(row.state),
        }));
      }
    } finally {
      // The caller stopped early (or failed): the page asked for ahead is not wanted.
      next?.catch(() => undefined);
    }
  }

  async loadRun(runKey: string): Promise<StoredRun | undefined> {
    const [run] = await this.loadWhere('r.run_key = $1', [runKey]);
    return run;
  }

  /**
   * Runs matching `where` (over `engine_runs r`), with their events, read in pages of runs so
   * start-up with 100 000 runs neither builds one huge result nor makes 100 000 round trips.
   */
  private async loadWhere(where: string, params: unknown[] = []): Promise<StoredRun[]> {
    const out: StoredRun[] = [];
    const page = 5_000;
    let after = '';
    for (;;) {
      const n = params.length;
      const runs = await this.pool.query<{ run_key: string; namespace: string; workflow_id: string; run_id: string; state: unknown }>(
        `SELECT r.run_key, r.namespace, r.workflow_id, r.run_id, r.state FROM ${this.s}.engine_runs r
          WHERE (${where}) AND r.run_key > $${n + 1} ORDER BY r.run_key LIMIT ${page}`,
        [...params, after],
      );
      if (runs.rows.length === 0) break;
      const keys = runs.rows.map((row) => row.run_key);
      const history = await this.pool.query<{ run_key: string; data: Buffer }>(
        `SELECT run_key, data FROM ${this.s}.engine_history WHERE run_key = ANY($1::text[]) ORDER BY run_key, first_event_id`,
        [keys],
      );
      const events = new Map<string, Msg[]>();
      const sizes = new Map<string, number>();
      for (const row of history.rows) {
        let list = events.get(row.run_key);
        if (!list) events.set(row.run_key, (list = []));
        list.push(...decodeEvents(row.data));
        sizes.set(row.run_key, (sizes.get(row.run_key) ?? 0) + row.data.length);
      }
      for (const row of runs.rows) {
        out.push({
          run: { runKey: row.run_key, namespace: row.namespace, workflowId: row.workflow_id, runId: row.run_id },
          events: events.get(row.run_key) ?? [],
          state: row.state === null || row.state === undefined ? undefined : fromJsonValue<Msg>(row.state),
          historySizeBytes: sizes.get(row.run_key),
        });
      }
      if (runs.rows.length < page) break;
      after = keys[keys.length - 1];
    }
    return out;
  }

  async latestRunKey(namespace: string, workflowId: string): Promise<string | undefined> {
    // Asked at every start of a new workflow id: a named statement, planned once per connection.
    const r = await this.pool.query<{ run_key: string }>({
      name: `engine-latest-run ${this.schema}`,
      text: `SELECT r.run_key FROM ${this.s}.engine_runs r LEFT JOIN ${this.s}.engine_visibility v USING (run_key)
        WHERE r.namespace = $1 AND r.workflow_id = $2
        ORDER BY v.start_time DESC NULLS LAST, r.created_at DESC, r.run_key DESC LIMIT 1`,
      values: [namespace, workflowId],
    });
    return r.rows[0]?.run_key;
  }

  async latestEventTime(): Promise<number | undefined> {
    const r = await this.pool.query<{ t: string | null }>(`SELECT max(GREATEST(start_time, COALESCE(close_time, 0)))::text AS t FROM ${this.s}.engine_visibility`);
    return r.rows[0]?.t ? Number(r.rows[0].t) : undefined;
  }

  async listVisibility(namespace: string): Promise<VisibilityRecord[]> {
    const r = await this.pool.query<{ record: unknown }>(`SELECT record FROM ${this.s}.engine_visibility WHERE namespace = $1 ORDER BY start_time DESC, run_key`, [namespace]);
    return r.rows.map((row) => fromJsonValue<VisibilityRecord>(row.record));
  }

  async listClosedVisibility(namespace: string): Promise<VisibilityRecord[]> {
    const r = await this.pool.query<{ record: unknown }>(
      `SELECT record FROM ${this.s}.engine_visibility WHERE namespace = $1 AND status <> '${RUNNING}' ORDER BY start_time DESC, run_key`,
      [namespace],
    );
    return r.rows.map((row) => fromJsonValue<VisibilityRecord>(row.record));
  }

  /** Retention: deletes runs of `namespace` closed before `closedBefore`, in one statement. */
  async deleteClosedRuns(namespace: string, closedBefore: number): Promise<string[]> {
    const s = this.s;
    const r = await this.pool.query<{ run_key: string }>(
      `WITH gone AS (
         DELETE FROM ${s}.engine_visibility
          WHERE namespace = $1 AND status <> '${RUNNING}' AND close_time IS NOT NULL AND close_time < $2
         RETURNING run_key
       ),
       h AS (DELETE FROM ${s}.engine_history WHERE run_key IN (SELECT run_key FROM gone)),
       r AS (DELETE FROM ${s}.engine_runs WHERE run_key IN (SELECT run_key FROM gone))
       SELECT run_key FROM gone`,
      [namespace, closedBefore],
    );
    return r.rows.map((row) => row.run_key);
  }

  /**
   * Commits a batch in ONE statement: creates runs, advances `last_event_id` only where the
   * append follows it, and writes history and visibility rows only for the writes that passed.
   */
  private async commitBatch(ops: Array<GroupOp<WriteOp>>): Promise<OpOutcome[]> {
    const rows = ops.map(({ value: op }, i) => ({
      i: i + 1,
      k: op.kind === 'create' ? 'c' : 'a',
      rk: op.run.runKey,
      ns: 'namespace' in op.run ? op.run.namespace : null,
      wid: 'workflowId' in op.run ? op.run.workflowId : null,
      rid: 'runId' in op.run ? op.run.runId : null,
      sa: 'start' in op.run && op.run.start ? toJsonValue(op.run.start) : null,
      first: op.first,
      last: op.last,
      st: op.state === undefined ? null : toJsonValue(op.state),
      vis: op.visibility ? toJsonValue(op.visibility) : null,
    }));
    const blobs = ops.map(({ value: op }) => op.blob);
    const s = this.s;
    // A named statement: parsed and planned once per connection, not at every batch.
    const r = await this.pool.query<{ i: number; ok: boolean; stored_last: number | null }>({
      name: `engine-commit-batch ${this.schema}`,
      text: `WITH o AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS o(i int, k text, rk text, ns text, wid text, rid text, sa jsonb, first int, last int, st jsonb, vis jsonb)
       ),
       b AS (SELECT data, ord::int AS i FROM unnest($2::bytea[]) WITH ORDINALITY AS b(data, ord)),
       created AS (
         INSERT INTO ${s}.engine_runs (run_key, namespace, workflow_id, run_id, last_event_id, state, start)
         SELECT rk, ns, wid, rid, COALESCE(last, 0), st, sa FROM o WHERE k = 'c'
         ON CONFLICT (run_key) DO NOTHING
         RETURNING run_key
       ),
       appended AS (
         UPDATE ${s}.engine_runs r
            SET last_event_id = COALESCE(o.last, r.last_event_id), state = COALESCE(o.st, r.state)
           FROM o
          WHERE o.k = 'a' AND r.run_key = o.rk AND (o.first IS NULL OR r.last_event_id = o.first - 1)
         RETURNING o.i
       ),
       ok AS (
         SELECT o.i FROM o JOIN created c ON c.run_key = o.rk WHERE o.k = 'c'
         UNION ALL SELECT i FROM appended
       ),
       hist AS (
         INSERT INTO ${s}.engine_history (run_key, first_event_id, last_event_id, data)
         SELECT o.rk, o.first, o.last, b.data FROM o JOIN ok USING (i) JOIN b USING (i) WHERE o.first IS NOT NULL
       ),
       vis AS (
         INSERT INTO ${s}.engine_visibility (run_key, namespace, workflow_id, run_id, workflow_type, status, start_time, close_time, record)
         SELECT o.rk, o.vis->>'namespace', o.vis->>'workflowId', o.vis->>'runId', o.vis->>'workflowType', o.vis->>'status',
                (o.vis->>'startTime')::bigint, (o.vis->>'closeTime')::bigint, o.vis
           FROM o JOIN ok USING (i) WHERE o.vis IS NOT NULL
         ON CONFLICT (run_key) DO UPDATE SET
           workflow_type = EXCLUDED.workflow_type, status = EXCLUDED.status, start_time = EXCLUDED.start_time,
           close_time = EXCLUDED.close_time, record = EXCLUDED.record
         -- An open run's row is read only for its status (list/count serve open runs from memory):
         -- a write that changes nothing but the history length and size is not made (no new
         -- row version, no WAL). A closed run's row is always written whole.
         WHERE EXCLUDED.status <> '${RUNNING}'
            OR (${s}.engine_visibility.record - 'historyLength' - 'historySizeBytes') IS DISTINCT FROM (EXCLUDED.record - 'historyLength' - 'historySizeBytes')
       )
       SELECT o.i, ok.i IS NOT NULL AS ok, r.last_event_id AS stored_last
         FROM o LEFT JOIN ok USING (i) LEFT JOIN ${s}.engine_runs r ON r.run_key = o.rk
        ORDER BY o.i`,
      values: [JSON.stringify(rows), blobs],
    });
    return r.rows.map((row, idx) => {
      if (row.ok) return undefined;
      const op = ops[idx].value;
      const key = op.run.runKey;
      if (op.kind === 'create') return new Error(`run ${key} already stored`);
      if (row.stored_last === null) return new Error(`run ${key} not stored`);
      return new Error(`run ${key}: event ${op.first} does not follow ${row.stored_last}`);
    });
  }
}

/** The id range and encoded blob of a list of events (all null when empty). */
function span(events: Msg[]): { first: number | null; last: number | null; blob: Buffer | null } {
  if (events.length === 0) return { first: null, last: null, blob: null };
  const first = Number(events[0].eventId);
  events.forEach((e, i) => {
    if (Number(e.eventId) !== first + i) throw new Error(`events to store are not contiguous: ${e.eventId} after ${first + i - 1}`);
  });
  return { first, last: first + events.length - 1, blob: encodeEvents(events) };
}

/** Takes the engine lock, waiting up to `waitMs` for a previous (e.g. killed) engine's session to go. */
async function acquireLock(client: Client, schema: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await tryEngineLock(client, schema)) return;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const holder = await engineLockHolder(client, schema);
  const who = holder
    ? `PostgreSQL session ${holder.pid} ("${holder.applicationName}"${holder.clientAddr ? ` from ${holder.clientAddr}` : ''}${holder.backendStart ? `, connected ${holder.backendStart.toISOString()}` : ''})`
    : 'another session';
  throw new EngineLockedError(
    `another engine is already running on this database (schema "${schema}", held by ${who}). ` +
      'Only one engine may use a database at a time: stop the other engine, or give this one another database or schema.',
  );
}
