/**
 * The outbox's group commit (activities/outboxWriter.ts) against a real (embedded) PostgreSQL:
 * batches of different work orders that wait together share one statement, each still gets its
 * own answer, one that cannot be written fails alone, and one work order's batches are never in
 * one statement and are written in call order.
 */
import { z } from 'zod';
import { createActivities } from '../../activities';
import type { OutboxGrouping } from '../../activities/outboxWriter';
import { WorkOrderLifecycle } from '../../workflows/lifecycle';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { outboxGrouping, workerTuningShape } from '../../worker/tuning';
import { input, t } from '../workflows/fixtures';

let db: TestPostgres;

beforeAll(async () => {
  db = await startTestPostgres();
  await db.pool.query(
    `INSERT INTO units (id, name, kind, webhook_url, webhook_secret) VALUES
       ('unit-a', '市住建局', 'level1', 'http://127.0.0.1:9/hook', 'secret-a'),
       ('unit-c', '市水务局', 'level1', NULL, NULL)`,
  );
}, 120_000);

afterAll(() => db?.stop());

const fixedNow = new Date('2026-03-10T02:00:00.000Z');

/** The activities on a pool that records, per outbox statement, the work orders it wrote. */
function countingActivities(grouping: OutboxGrouping) {
  const statements: string[][] = [];
  const pool = {
    query: (...args: unknown[]) => {
      const config = args[0] as { name?: string; values?: unknown[] };
      if (config.name === 'record-outbox') statements.push((JSON.parse(String(config.values![0])) as { id: string }[]).map((w) => w.id));
      return (db.pool.query as (...a: unknown[]) => unknown)(...args);
    },
  } as unknown as typeof db.pool;
  return { acts: createActivities({ pool, now: () => fixedNow, outboxGrouping: grouping }), statements };
}

/** A work order's creation batch, and the batch of its sign deadline passing (an escalation). */
function batches(id: string, unitId: string) {
  const wo = WorkOrderLifecycle.create(input({ id, intake: { mainUnitId: unitId } }), t('2026-03-10', '09:00'));
  const created = { workOrderId: id, ...wo.drain(), snapshot: wo.snapshot() };
  wo.tick(t('2026-03-12', '09:00'));
  const escalated = { workOrderId: id, ...wo.drain(), snapshot: wo.snapshot() };
  return { created, escalated };
}

async function stored(id: string) {
  const { rows } = await db.pool.query(
    `SELECT (SELECT count(*)::int FROM work_order_events WHERE work_order_id = $1) AS events,
            (SELECT count(*)::int FROM supervision_records WHERE work_order_id = $1) AS supervision,
            (SELECT count(*)::int FROM notifications WHERE work_order_id = $1) AS notifications,
            (SELECT last_seq FROM work_orders WHERE id = $1) AS "lastSeq"`,
    [id],
  );
  return rows[0];
}

it('batches that wait while a statement is written share the next one, and each gets its own answer', async () => {
  const { acts, statements } = countingActivities({ maxBatch: 5, maxInFlight: 1 });
  const ids = Array.from({ length: 12 }, (_, i) => `WO-GC-${i}`);
  const work = ids.map((id, i) => batches(id, i % 2 ? 'unit-a' : 'unit-c'));
  for (const w of work) await acts.recordOutbox(w.created);
  statements.length = 0;

  const answers = await Promise.all(work.map((w) => acts.recordOutbox(w.escalated)));

  // The first leaves at once; the eleven that arrived meanwhile go five, five and one.
  expect(statements.map((s) => s.length)).toEqual([1, 5, 5, 1]);
  expect(statements.flat().sort()).toEqual([...ids].sort());
  work.forEach((w, i) => {
    expect(answers[i].inserted).toBe(w.escalated.events.length);
    // Only unit-a has a webhook: each answer names its own notifications, none of its neighbours'.
    const own = w.escalated.notifications.filter((n) => n.recipients.some((r) => r.audience === 'unit' && r.unitId === 'unit-a')).map((n) => n.key);
    expect(answers[i].webhooks.sort()).toEqual(own.sort());
  });
  for (const w of work) {
    expect(await stored(w.created.workOrderId)).toEqual({
      events: w.created.events.length + w.escalated.events.length,
      supervision: w.escalated.supervisionOpens.length,
      notifications: [...w.created.notifications, ...w.escalated.notifications].reduce((n, r) => n + r.recipients.length, 0),
      lastSeq: w.escalated.snapshot.state.seq,
    });
  }
  // A retry of the whole burst writes nothing twice.
  const again = await Promise.all(work.map((w) => acts.recordOutbox(w.escalated)));
  expect(again.map((a) => a.inserted)).toEqual(work.map(() => 0));
});

it('a batch that cannot be written fails alone; the others of its statement are stored', async () => {
  const { acts, statements } = countingActivities({ maxBatch: 10, maxInFlight: 1 });
  const work = ['WO-GF-0', 'WO-GF-1', 'WO-GF-2', 'WO-GF-3'].map((id) => batches(id, 'unit-c'));
  const broken = { ...work[2].created, supervisionOpens: [], events: work[2].created.events.map((e) => ({ ...e, type: null as unknown as string })) };

  const outcomes = await Promise.allSettled([work[0].created, work[1].created, broken, work[3].created].map((b) => acts.recordOutbox(b)));

  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  // One alone, then three together (rolled back), then each of those three alone.
  expect(statements).toEqual([['WO-GF-0'], ['WO-GF-1', 'WO-GF-2', 'WO-GF-3'], ['WO-GF-1'], ['WO-GF-2'], ['WO-GF-3']]);
  expect((await stored('WO-GF-1')).events).toBe(work[1].created.events.length);
  expect(await stored('WO-GF-2')).toEqual({ events: 0, supervision: 0, notifications: 0, lastSeq: null });
  expect((await stored('WO-GF-3')).events).toBe(work[3].created.events.length);
});

it("one work order's batches never share a statement and are written in call order", async () => {
  const { acts, statements } = countingActivities({ maxBatch: 10, maxInFlight: 2 });
  const x = batches('WO-GO-X', 'unit-c');
  const y = batches('WO-GO-Y', 'unit-c');

  await Promise.all([acts.recordOutbox(x.created), acts.recordOutbox(x.escalated), acts.recordOutbox(y.created)]);

  // X's second batch waits for its first, while Y's takes the other statement slot.
  expect(statements).toEqual([['WO-GO-X'], ['WO-GO-Y'], ['WO-GO-X']]);
  expect(await stored('WO-GO-X')).toMatchObject({ events: x.created.events.length + x.escalated.events.length, lastSeq: x.escalated.snapshot.state.seq });
});

it('is configured by OUTBOX_MAX_BATCH and OUTBOX_MAX_IN_FLIGHT, refusing what is not a positive count', () => {
  const schema = z.object(workerTuningShape);
  expect(outboxGrouping(schema.parse({}))).toEqual({ maxBatch: 50, maxInFlight: 2 });
  expect(outboxGrouping(schema.parse({ OUTBOX_MAX_BATCH: '20', OUTBOX_MAX_IN_FLIGHT: '1' }))).toEqual({ maxBatch: 20, maxInFlight: 1 });
  const refused = schema.safeParse({ OUTBOX_MAX_BATCH: '0', OUTBOX_MAX_IN_FLIGHT: 'two' });
  expect(refused.success).toBe(false);
  expect(refused.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['OUTBOX_MAX_BATCH', 'OUTBOX_MAX_IN_FLIGHT']);
});
