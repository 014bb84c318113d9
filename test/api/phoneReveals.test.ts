/**
 * The phone-reveal record (issue 12) written by concurrent requests in shared statements (issue 9):
 * every reveal is recorded once, with its own viewer, role, unit and way, in the order the
 * requests came; each caller resolves only once its rows are committed; a failed write fails
 * the callers whose rows it held, and later ones are written.
 */
import type { AuthUser } from '../../api/http/auth';
import { listPhoneReveals, recordPhoneReveals } from '../../api/tickets/phoneReveals';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

let db: TestPostgres;
beforeAll(async () => {
  db = await startTestPostgres();
}, 120_000);
afterAll(() => db?.stop());

const center: AuthUser = { id: 'center-1', name: '甲', role: 'center' };
const unit = (n: number): AuthUser => ({ id: `clerk-${n}`, name: `办理员${n}`, role: 'unit', unitId: `kf-${String(n).padStart(3, '0')}` });

test('concurrent reveals are each recorded once, attributed and in order, and committed when their caller resolves', async () => {
  let committedWhenResolved = true;
  const calls = Array.from({ length: 30 }, (_, i) => {
    const viewer = i % 3 === 0 ? center : unit(i);
    const ids = i % 5 === 0 ? [`20260302-${String(i).padStart(6, '0')}`, `20260302-${String(i).padStart(6, '0')}`, '20260302-999999'] : [`20260302-${String(i).padStart(6, '0')}`];
    return recordPhoneReveals(db.pool, viewer, ids, i % 2 ? 'action' : 'ticket').then(async () => {
      const { rows } = await db.pool.query('SELECT 1 FROM phone_reveals WHERE user_id = $1 AND work_order_id = $2', [viewer.id, ids[0]]);
      if (rows.length !== 1) committedWhenResolved = false;
    });
  });
  await Promise.all(calls);
  expect(committedWhenResolved).toBe(true);
  const { items, total } = await listPhoneReveals(db.pool, { page: 1, pageSize: 200 });
  // Duplicates within one call are recorded once; 6 calls name two ids.
  expect(total).toBe(36);
  const oldestFirst = [...items].reverse();
  const expected = Array.from({ length: 30 }, (_, i) => {
    const viewer = i % 3 === 0 ? center : unit(i);
    const ids = i % 5 === 0 ? [`20260302-${String(i).padStart(6, '0')}`, '20260302-999999'] : [`20260302-${String(i).padStart(6, '0')}`];
    return ids.map((workOrderId) => ({ userId: viewer.id, role: viewer.role, unitId: viewer.unitId ?? null, workOrderId, via: i % 2 ? 'action' : 'ticket' }));
  }).flat();
  expect(oldestFirst.map(({ userId, role, unitId, workOrderId, via }) => ({ userId, role, unitId, workOrderId, via }))).toEqual(expected);
});

test('a failed write rejects its callers and the next requests are still written', async () => {
  const other = await startTestPostgres();
  try {
    await other.pool.query('ALTER TABLE phone_reveals ADD CONSTRAINT no_list CHECK (via <> $$list$$)');
    const refused = recordPhoneReveals(other.pool, center, ['20260302-000001'], 'list');
    const alongside = recordPhoneReveals(other.pool, center, ['20260302-000002'], 'ticket');
    await expect(refused).rejects.toThrow(/no_list/);
    // Written in the same statement as the refused row, or after it: either way it is settled.
    const outcome = await alongside.then(() => 'written', () => 'refused');
    await recordPhoneReveals(other.pool, center, ['20260302-000003'], 'ticket');
    const { rows } = await other.pool.query<{ work_order_id: string }>('SELECT work_order_id FROM phone_reveals ORDER BY id');
    expect(rows.map((r) => r.work_order_id)).toEqual([...(outcome === 'written' ? ['20260302-000002'] : []), '20260302-000003']);
  } finally {
    await other.stop();
  }
}, 120_000);
