/**
 * The activities' defence in depth (activities/storable.ts) against a real PostgreSQL: input that
 * can never be stored fails at once, non-retryably, writing nothing; a PostgreSQL data exception
 * likewise; the repaired copy the workflow sends next (domain/storable.ts toStorable) is stored.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { toStorable } from '../../domain/storable';
import { WorkOrderLifecycle } from '../../workflows/lifecycle';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { input, t } from '../workflows/fixtures';

let db: TestPostgres;
beforeAll(async () => {
  db = await startTestPostgres();
  await db.pool.query("INSERT INTO units (id, name, kind) VALUES ('unit-a', '市住建局', 'level1')");
}, 120_000);
afterAll(() => db?.stop());

const warnings: object[] = [];
const activities = () => createActivities({ pool: db.pool, logger: { info: () => undefined, warn: (o) => void warnings.push(o) } });

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

test.each([
  ['a NUL', '路灯\u0000不亮'],
  ['a lone surrogate', '路灯\ud800不亮'],
])('recordEvents with %s in the state: non-retryable UNSTORABLE_INPUT, nothing written; the repaired copy is stored', async (_what, summary) => {
  const id = `WO-BAD-${summary.charCodeAt(2)}`;
  const wo = WorkOrderLifecycle.create(input({ id, intake: { summary } }), t('2026-03-10', '09:00'));
  const batch = { workOrderId: id, events: wo.drain().events, snapshot: wo.snapshot() };
  const refused = await failure(activities().recordEvents(batch));
  expect(refused).toMatchObject({ type: 'UNSTORABLE_INPUT', nonRetryable: true });
  expect(refused.message).toContain('snapshot.state.intake.summary');
  expect((await db.pool.query('SELECT 1 FROM work_orders WHERE id = $1', [id])).rowCount).toBe(0);
  expect(warnings.length).toBeGreaterThan(0);

  await activities().recordEvents(toStorable(batch));
  const { rows } = await db.pool.query('SELECT summary, state FROM work_orders WHERE id = $1', [id]);
  expect(rows[0].summary).toBe('路灯\ufffd不亮');
  expect(rows[0].state.intake.summary).toBe('路灯\ufffd不亮');
});

test('a value PostgreSQL refuses (a date out of its range) is non-retryable too; the database being down is not', async () => {
  const refused = await failure(
    activities().openSupervision({
      id: 'sv-bad-date',
      workOrderId: 'WO-X',
      level: 'L1',
      trigger: 'manual',
      reason: '督办',
      openedAt: '0000-01-01T00:00:00Z',
    } as never),
  );
  expect(refused).toMatchObject({ type: 'UNSTORABLE_INPUT', nonRetryable: true });

  const down = createActivities({ pool: { query: () => Promise.reject(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' })) } as never });
  const error = await down.openSupervision({ id: 'sv-x', workOrderId: 'WO-X', level: 'L1', trigger: 'manual', reason: 'r', openedAt: '2026-03-10T02:00:00Z' } as never).catch((e: unknown) => e);
  expect(error).not.toBeInstanceOf(ApplicationFailure);
});
