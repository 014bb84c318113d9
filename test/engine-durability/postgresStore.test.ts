import { EngineLockedError, PostgresStore } from '../../engine/persistence/postgresStore';
import type { VisibilityRecord } from '../../engine/persistence/store';
import { msToTimestamp, type Msg } from '../../engine/proto';
import { randomBytes } from 'node:crypto';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

/** The PostgreSQL engine store alone: contract of EngineStore, group commit, single-engine lock. */

let db: TestPostgres;
let url: string;
let store: PostgresStore;

beforeAll(async () => {
  // An empty database: the engine creates its own tables, it needs none of the app's migrations.
  db = await startTestPostgres({ migrate: false });
  url = db.databaseUrl;
  store = await PostgresStore.open({ databaseUrl: url, lockWaitMs: 300 });
}, 120_000);

afterAll(async () => {
  await store?.close();
  await db?.stop();
});

const payload = (text: string) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(text)) });

function started(id: number, workflowId: string): Msg {
  return {
    eventId: id,
    eventTime: msToTimestamp(1_700_000_000_123),
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    taskId: id,
    workflowExecutionStartedEventAttributes: {
      workflowType: { name: 'wf' },
      taskQueue: { name: 'q', kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: { payloads: [payload(`input of ${workflowId}`)] },
      workflowTaskTimeout: { seconds: 10 },
      originalExecutionRunId: 'r',
      identity: 'test',
      attempt: 1,
      workflowId,
    },
  };
}

function signaled(id: number, text: string): Msg {
  return {
    eventId: id,
    eventTime: msToTimestamp(1_700_000_000_000 + id),
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
    taskId: id,
    workflowExecutionSignaledEventAttributes: { signalName: 'poke', input: { payloads: [payload(text)] }, identity: 'test' },
  };
}

function vis(runKey: string, status = 'WORKFLOW_EXECUTION_STATUS_RUNNING', namespace = 'default'): VisibilityRecord {
  const [, workflowId, runId] = runKey.split('/');
  return {
    runKey,
    namespace,
    workflowId,
    runId,
    workflowType: 'wf',
    taskQueue: 'q',
    status,
    startTime: 1_700_000_000_123,
    executionTime: 1_700_000_000_123,
    historyLength: 1,
    historySizeBytes: 100,
    memo: { fields: { note: payload('memo') } },
  };
}

let seq = 0;
async function newRun(namespace = 'default'): Promise<string> {
  const workflowId = `wf-${++seq}`;
  const runKey = `${namespace}/${workflowId}/run-${seq}`;
  await store.createRun({ runKey, namespace, workflowId, runId: `run-${seq}` }, [started(1, workflowId)], vis(runKey, undefined, namespace));
  return runKey;
}

test('events come back exactly as stored, payload bytes included, from any event id', async () => {
  const runKey = await newRun();
  await store.appendEvents(runKey, [signaled(2, 'a'), signaled(3, 'b')], {});
  await store.appendEvents(runKey, [signaled(4, 'c')], {});
  const all = await store.readEvents(runKey);
  expect(all.map((e) => e.eventId)).toEqual([1, 2, 3, 4]);
  expect(all[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
  expect(all[0].eventTime).toEqual({ seconds: 1_700_000_000, nanos: 123_000_000 });
  const input = all[0].workflowExecutionStartedEventAttributes.input.payloads[0];
  expect(Buffer.isBuffer(input.data)).toBe(true);
  expect(JSON.parse(input.data.toString())).toBe(`input of ${runKey.split('/')[1]}`);
  expect(all[2].workflowExecutionSignaledEventAttributes.input.payloads[0].data.toString()).toBe('"b"');
  // From the middle of a stored batch.
  expect((await store.readEvents(runKey, 3)).map((e) => e.eventId)).toEqual([3, 4]);
  expect(await store.readEvents(runKey, 5)).toEqual([]);
});

test('history batches and run snapshots up to a page stay in their rows, not in TOAST tables', async () => {
  // Payloads are encrypted (incompressible): random bytes stand for them. Before, a row over
  // 2 KB was compressed in vain and moved in chunks to the TOAST table on every append.
  const runKey = await newRun();
  const blob = (n: number) => randomBytes(n).toString('base64');
  await store.appendEvents(runKey, [signaled(2, blob(3_000))], {
    runState: { buffered: [], wtAttempt: 1, requestIds: Array.from({ length: 90 }, (_, i) => `request-${i}-${blob(24)}`), activities: [] },
  });
  const { rows: [sizes] } = await db.pool.query<{ history: number; snapshot: number; history_toast: string; runs_toast: string }>(
    `SELECT (SELECT max(octet_length(data)) FROM engine.engine_history WHERE run_key = $1) AS history,
            (SELECT octet_length(state::text) FROM engine.engine_runs WHERE run_key = $1) AS snapshot,
            (SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'engine.engine_history'::regclass) AS history_toast,
            (SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'engine.engine_runs'::regclass) AS runs_toast`,
    [runKey],
  );
  expect(sizes.history).toBeGreaterThan(4_000);
  expect(sizes.snapshot).toBeGreaterThan(3_000);
  const { rows: [chunks] } = await db.pool.query<{ n: string }>(
    `SELECT ((SELECT count(*) FROM ${sizes.history_toast}) + (SELECT count(*) FROM ${sizes.runs_toast}))::text AS n`,
  );
  expect(Number(chunks.n)).toBe(0);
  // And they read back whole.
  expect((await store.readEvents(runKey, 2))[0].workflowExecutionSignaledEventAttributes.input.payloads[0].data.length).toBeGreaterThan(4_000);
  expect((await store.readRunState(runKey))?.requestIds).toHaveLength(90);
});

test('an append whose first id does not follow the stored last id is refused and stores nothing', async () => {
  const runKey = await newRun();
  await expect(store.appendEvents(runKey, [signaled(3, 'gap')], {})).rejects.toThrow(/event 3 does not follow 1/);
  await expect(store.appendEvents(runKey, [signaled(1, 'again')], {})).rejects.toThrow(/event 1 does not follow 1/);
  await expect(store.appendEvents('default/nope/none', [signaled(2, 'x')], {})).rejects.toThrow(/not stored/);
  expect((await store.readEvents(runKey)).map((e) => e.eventId)).toEqual([1]);
  await store.appendEvents(runKey, [signaled(2, 'fine')], {});
  expect((await store.readEvents(runKey)).map((e) => e.eventId)).toEqual([1, 2]);
});

test('creating a run twice is refused', async () => {
  const runKey = await newRun();
  const [ns, workflowId, runId] = runKey.split('/');
  await expect(store.createRun({ runKey, namespace: ns, workflowId, runId }, [started(1, workflowId)], vis(runKey))).rejects.toThrow(/already stored/);
  expect(await store.readEvents(runKey)).toHaveLength(1);
});

test('concurrent appends of many runs are group-committed, and a bad one fails alone', async () => {
  const runs = await Promise.all(Array.from({ length: 120 }, () => newRun()));
  const before = store.stats;
  const results = await Promise.allSettled(
    runs.map((runKey, i) => store.appendEvents(runKey, [signaled(i === 7 ? 5 : 2, `s${i}`)], { visibility: { ...vis(runKey), historyLength: 2 } })),
  );
  const after = store.stats;
  expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  expect(results[7].status).toBe('rejected');
  // 120 writes in far fewer commits than writes.
  expect(after.ops - before.ops).toBe(120);
  expect(after.batches - before.batches).toBeLessThan(20);
  for (const [i, runKey] of runs.entries()) {
    expect((await store.readEvents(runKey)).length).toBe(i === 7 ? 1 : 2);
  }
});

test('writes of one run submitted together are applied in call order', async () => {
  const runKey = await newRun();
  // Not awaited one by one: each must wait for the previous one of its run.
  await Promise.all([2, 3, 4, 5, 6].map((id) => store.appendEvents(runKey, [signaled(id, `n${id}`)], {})));
  const events = await store.readEvents(runKey);
  expect(events.map((e) => e.eventId)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(events.map((e) => e.workflowExecutionSignaledEventAttributes?.input.payloads[0].data.toString() ?? null)).toEqual([null, '"n2"', '"n3"', '"n4"', '"n5"', '"n6"']);
});

test('visibility rows, derived run state and namespaces round-trip', async () => {
  const a = await newRun('ns-vis');
  const b = await newRun('ns-vis');
  await newRun('other');
  await store.appendEvents(a, [signaled(2, 'x')], {
    visibility: { ...vis(a, 'WORKFLOW_EXECUTION_STATUS_COMPLETED', 'ns-vis'), closeTime: 1_700_000_100_000, historyLength: 2 },
    runState: { buffered: [], wtAttempt: 1, requestIds: ['r-1'], activities: [{ scheduledEventId: 5, attempt: 3, lastFailure: { message: 'boom', encodedAttributes: payload('x') } }] },
  });
  const rows = await store.listVisibility('ns-vis');
  expect(rows.map((r) => r.runKey).sort()).toEqual([a, b].sort());
  const rowA = rows.find((r) => r.runKey === a)!;
  expect(rowA.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
  expect(rowA.closeTime).toBe(1_700_000_100_000);
  expect(rowA.historyLength).toBe(2);
  expect(Buffer.isBuffer(rowA.memo?.fields.note.data)).toBe(true);
  expect(rows.find((r) => r.runKey === b)!.closeTime).toBeUndefined();

  const state = await store.readRunState(a);
  expect(state?.activities[0].attempt).toBe(3);
  expect(state?.requestIds).toEqual(['r-1']);
  expect(state?.activities[0].lastFailure.encodedAttributes.data.toString()).toBe('"x"');
  expect(await store.readRunState(b)).toBeUndefined();

  await store.saveNamespace({ name: 'ns-vis', id: 'id-1', retentionDays: 3, searchAttributes: { Priority: 'INDEXED_VALUE_TYPE_INT' } });
  await store.saveNamespace({ name: 'ns-vis', id: 'id-1', retentionDays: 7, searchAttributes: { Priority: 'INDEXED_VALUE_TYPE_INT' } });
  const ns = (await store.listNamespaces()).find((n) => n.name === 'ns-vis');
  expect(ns).toEqual({ name: 'ns-vis', id: 'id-1', retentionDays: 7, searchAttributes: { Priority: 'INDEXED_VALUE_TYPE_INT' } });
  expect((await store.listRuns()).some((r) => r.runKey === a && r.namespace === 'ns-vis')).toBe(true);
});

test('an open run\'s visibility row is rewritten only when more than its history length and size changed', async () => {
  const key = await newRun('ns-rewrite');
  const version = async () => {
    const { rows } = await db.pool.query<{ v: string; record: { historyLength: number; status: string; memo: unknown } }>(
      'SELECT xmin::text AS v, record FROM engine.engine_visibility WHERE run_key = $1',
      [key],
    );
    return rows[0];
  };
  const created = await version();
  // Only the length and size move (every append of an open run): the row stays as it is.
  await store.appendEvents(key, [signaled(2, 'a')], { visibility: { ...vis(key, undefined, 'ns-rewrite'), historyLength: 2, historySizeBytes: 180 } });
  expect(await version()).toEqual(created);
  // A memo change is written (with the length of that moment).
  const memo = { fields: { note: payload('changed') } };
  await store.appendEvents(key, [signaled(3, 'b')], { visibility: { ...vis(key, undefined, 'ns-rewrite'), historyLength: 3, historySizeBytes: 260, memo } });
  const changed = await version();
  expect(changed.v).not.toBe(created.v);
  expect(changed.record.historyLength).toBe(3);
  // The close is written whole, the final length included.
  await store.appendEvents(key, [signaled(4, 'c')], {
    visibility: { ...vis(key, 'WORKFLOW_EXECUTION_STATUS_COMPLETED', 'ns-rewrite'), closeTime: 1_700_000_200_000, historyLength: 4, historySizeBytes: 300, memo },
  });
  const [closed] = await store.listClosedVisibility('ns-rewrite');
  expect(closed).toMatchObject({ runKey: key, status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED', historyLength: 4, historySizeBytes: 300 });
});

test('loadRuns gives every run with the same events and snapshot as the per-run reads', async () => {
  const runKey = await newRun();
  await store.appendEvents(runKey, [signaled(2, 'a')], { runState: { buffered: [], wtAttempt: 2, requestIds: ['x'], activities: [] } });
  await store.appendEvents(runKey, [signaled(3, 'b'), signaled(4, 'c')], {});
  const loaded = await store.loadRuns();
  const runs = await store.listRuns();
  const byKey = (a: { runKey: string }, b: { runKey: string }) => (a.runKey < b.runKey ? -1 : 1);
  expect(loaded.map((l) => l.run).sort(byKey)).toEqual([...runs].sort(byKey));
  for (const { run, events, state } of loaded) {
    expect(events).toEqual(await store.readEvents(run.runKey));
    expect(state).toEqual(await store.readRunState(run.runKey));
  }
  const mine = loaded.find((l) => l.run.runKey === runKey)!;
  expect(mine.events.map((e) => e.eventId)).toEqual([1, 2, 3, 4]);
  expect(mine.state?.wtAttempt).toBe(2);
});

test('text jsonb cannot hold (U+0000) is stored all the same', async () => {
  const runKey = await newRun();
  const message = 'bad\u0000byte from a worker';
  await store.appendEvents(runKey, [signaled(2, 'x')], { runState: { buffered: [], wtAttempt: 1, requestIds: [], activities: [{ scheduledEventId: 9, attempt: 2, lastFailure: { message } }] } });
  expect((await store.readRunState(runKey))?.activities[0].lastFailure.message).toBe(message);
});

test('a second engine on the same database is refused, naming the holder; it may start once the first is gone', async () => {
  const started = Date.now();
  const err = await PostgresStore.open({ databaseUrl: url, lockWaitMs: 300 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(EngineLockedError);
  expect((err as Error).message).toMatch(/another engine is already running on this database/);
  expect((err as Error).message).toMatch(new RegExp(`hotline-engine pid ${process.pid}`));
  expect(Date.now() - started).toBeLessThan(5_000);

  // Another schema of the same database is another engine's space.
  const other = await PostgresStore.open({ databaseUrl: url, schema: 'engine_b', lockWaitMs: 300 });
  await other.close();

  // Everything written survives the engine going away; the next one reads it.
  const runKey = await newRun();
  await store.appendEvents(runKey, [signaled(2, 'kept')], {});
  await store.close();
  store = await PostgresStore.open({ databaseUrl: url, lockWaitMs: 300 });
  expect((await store.readEvents(runKey)).map((e) => e.eventId)).toEqual([1, 2]);
  await store.appendEvents(runKey, [signaled(3, 'after reopen')], {});
});

test('when the lock session dies the store reports it as fatal and another engine can take over', async () => {
  const fatal: Error[] = [];
  const second = await PostgresStore.open({ databaseUrl: url, schema: 'engine_c', lockWaitMs: 300, onFatal: (e) => fatal.push(e) });
  // The backend holding engine_c's lock (and only that one) is killed, as a crash of PostgreSQL's side would.
  const lockPid = await db.pool.query<{ pid: number }>(
    `SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objid = hashtext('engine_c')::oid`,
  );
  expect(lockPid.rowCount).toBe(1);
  await db.pool.query('SELECT pg_terminate_backend($1)', [lockPid.rows[0].pid]);
  for (let i = 0; i < 50 && fatal.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(fatal[0]?.message).toMatch(/lost its PostgreSQL lock session/);
  const third = await PostgresStore.open({ databaseUrl: url, schema: 'engine_c', lockWaitMs: 2_000 });
  await third.close();
  await second.close();
});

test('start-up reads open runs only; a closed run is read alone, found as its workflow id\'s latest run, and deleted after retention', async () => {
  const open = await newRun('ns-ret');
  const closedKey = await newRun('ns-ret');
  const closedAt = 1_700_000_100_000;
  await store.appendEvents(closedKey, [signaled(2, 'last')], { visibility: { ...vis(closedKey, 'WORKFLOW_EXECUTION_STATUS_COMPLETED', 'ns-ret'), closeTime: closedAt } });
  const openKeys = (await store.loadOpenRuns()).map((r) => r.run.runKey);
  expect(openKeys).toContain(open);
  expect(openKeys).not.toContain(closedKey);
  const alone = await store.loadRun(closedKey);
  expect(alone?.events.map((e) => e.eventId)).toEqual([1, 2]);
  const [, workflowId] = closedKey.split('/');
  expect(await store.latestRunKey('ns-ret', workflowId)).toBe(closedKey);
  expect((await store.listClosedVisibility('ns-ret')).map((v) => v.runKey)).toEqual([closedKey]);
  // Retention counts from the close: not yet at the close time, gone just after it.
  expect(await store.deleteClosedRuns('ns-ret', closedAt)).toEqual([]);
  expect(await store.deleteClosedRuns('ns-ret', closedAt + 1)).toEqual([closedKey]);
  expect(await store.loadRun(closedKey)).toBeUndefined();
  expect(await store.readEvents(closedKey)).toEqual([]);
  expect(await store.listClosedVisibility('ns-ret')).toEqual([]);
  expect((await store.loadRun(open))?.events).toHaveLength(1);
});
