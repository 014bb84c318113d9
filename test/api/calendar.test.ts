/**
 * The working calendar beyond the library's data, through the API in sandbox mode (issue 10).
 * The sandbox starts Monday 2026-12-28 09:00 (+08:00): the library ends with 2026, 2027 is
 * provisional. In order: the calendar is degraded (health, status, admin notification, log); the
 * December scenario; clock/advance records an urge and a missed deadline each at its own instant;
 * importing the 2027 notice moves exactly the affected open work orders; work orders are still
 * taken in 2027.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { catchUpCalendar } from '../../api/calendar/propagate';
import { saveOfficialYear } from '../../api/calendar/repository';
import { statutoryHolidays } from '../../domain/statutory';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../support/eventually';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ sandbox: true, startAt: new Date('2026-12-28T01:00:00Z') });
}, 120_000);
afterAll(() => t?.stop());

const notice2027 = readFileSync(path.join(__dirname, '../domain/fixtures/notice-2027.txt'), 'utf8');
const intake = (over: Record<string, unknown> = {}) => ({
  callerName: '孙八',
  callerPhone: '13500005555',
  summary: '年底供暖不热',
  category: 'help',
  mainUnitId: 'kf-046',
  ...over,
});
const ids: Record<string, string> = {};
/**
 * The sandbox clock runs on after an advance, and deadlines keep their second: on a loaded machine a
 * work order taken "at 10:00" may be taken at 10:00:01. `at(iso, id)` is `iso` shifted by the whole
 * seconds that work order was taken after 10:00:00.
 */
const takenAt: Record<string, number> = {};
const tenOClock = Date.parse('2026-12-28T02:00:00Z');
const at = (iso: string, id: string) => new Date(Date.parse(iso) + Math.floor((takenAt[id] - tenOClock) / 1000) * 1000).toISOString();
const completionOf = (body: { clocks: { name: string; deadline: string; provisional?: boolean }[] }) => body.clocks.find((c) => c.name === 'completion')!;

test('from 60 days before its last official day the calendar is degraded: health, status, a warning log, an admin notification', async () => {
  const health = await request(t.app).get('/health').expect(200);
  expect(health.body).toMatchObject({ ok: true, status: 'degraded', calendar: { status: 'degraded', lastCoveredDay: '2026-12-31', daysLeft: 3 } });
  expect(health.body.calendar.years[1]).toEqual({ year: 2027, source: 'provisional' });
  const status = await request(t.app).get('/calendar/status').set(t.auth({ unit: 'kf-046' })).expect(200);
  expect(status.body.message).toContain('2026-12-31');
  const notes = await eventually(
    () => request(t.app).get('/notifications?kind=calendarDegraded').set(t.auth('admin')),
    (r) => r.body.items?.length > 0,
  );
  expect(notes.body.items).toHaveLength(1); // once a day, however often it is checked
  expect(notes.body.items[0]).toMatchObject({ workOrderId: null, payload: { lastCoveredDay: '2026-12-31' } });
  expect(t.logs.some((l) => l.includes('"level":40') && l.includes('2026-12-31'))).toBe(true);
});

test('the December scenario: Monday 2026-12-28 10:00 + 7 working days is due 2027-01-07 10:00, provisional (暂定)', async () => {
  const moved = await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ to: '2026-12-28T10:00:00+08:00' }).expect(200);
  expect(moved.body.nowLocal).toMatch(/^2026-12-28 10:00:\d\d \(\+08:00\)$/);
  const created = await request(t.app).post('/tickets').set(t.auth('center')).send(intake({ statutoryWorkingDays: 7 })).expect(201);
  ids.december = created.body.workOrderId;
  takenAt[ids.december] = Date.parse(created.body.createdAt);
  expect(takenAt[ids.december] - tenOClock).toBeLessThan(60_000);
  expect(completionOf(created.body)).toMatchObject({ deadline: at('2027-01-07T02:00:00.000Z', ids.december), provisional: true });
  expect(created.body.provisional).toBe(true);
  for (const [name, days, summary] of [['spring', 30, '春节前后'], ['short', 2, '年内办完']] as const) {
    const body = (await request(t.app).post('/tickets').set(t.auth('center')).send(intake({ statutoryWorkingDays: days, summary })).expect(201)).body;
    ids[name] = body.workOrderId;
    takenAt[body.workOrderId] = Date.parse(body.createdAt);
    expect(takenAt[body.workOrderId] - tenOClock).toBeLessThan(60_000);
  }

  const list = await eventually(
    () => request(t.app).get('/tickets').set(t.auth('center')),
    (r) => [ids.december, ids.spring, ids.short].every((id) => r.body.items?.some((i: { id: string }) => i.id === id)),
  );
  const row = (id: string) => list.body.items.find((i: { id: string }) => i.id === id);
  expect([row(ids.december).provisional, row(ids.spring).provisional, row(ids.short).provisional]).toEqual([true, true, false]);
  const told = await request(t.app).get(`/notifications?workOrderId=${ids.december}&kind=newWorkOrder`).set(t.auth({ unit: 'kf-046' })).expect(200);
  expect(told.body.items[0].payload.completionDeadlineText).toBe('2027-01-07 10:00 (+08:00) 暂定');
});

test('clock/advance across an urge point and a deadline records each at its own instant, and answers when they are visible', async () => {
  // Unsigned since Monday 10:00: the sign deadline is Tuesday 10:00, its urge 1 working hour before.
  const { sign } = Object.fromEntries(
    (await request(t.app).get(`/tickets/${ids.short}`).set(t.auth('center')).expect(200)).body.clocks.map((c: { name: string }) => [c.name, c]),
  );
  expect(sign.deadline).toBe(at('2026-12-29T02:00:00.000Z', ids.short));
  expect(sign.urgeAt).toEqual([at('2026-12-29T01:00:00.000Z', ids.short)]);

  const moved = await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ by: '2d' }).expect(200);
  expect(moved.body.steps).toBeGreaterThanOrEqual(2);
  // No waiting: the answer came after the effects were recorded.
  const events = (await request(t.app).get(`/tickets/${ids.short}/events`).set(t.auth('center')).expect(200)).body.items as {
    type: string;
    at: string;
    detail: { clock?: string; dueAt?: string };
  }[];
  const signEvents = events.filter((e) => e.detail.clock === sign.id);
  // 001 三(三): the missed deadline is urged a second time; 督办 follows a working day later.
  expect(signEvents.map((e) => [e.type, e.detail.dueAt])).toEqual([
    ['urged', at('2026-12-29T01:00:00.000Z', ids.short)],
    ['urged', at('2026-12-29T02:00:00.000Z', ids.short)],
    ['escalated', at('2026-12-30T02:00:00.000Z', ids.short)],
  ]);
  for (const e of signEvents) expect(Math.abs(Date.parse(e.at) - Date.parse(e.detail.dueAt!))).toBeLessThan(60_000);
  const overdue = await request(t.app).get('/tickets?overdue=true').set(t.auth('center')).expect(200);
  expect(overdue.body.items.map((i: { id: string }) => i.id)).toContain(ids.short);
  const notes = await request(t.app).get(`/notifications?workOrderId=${ids.short}`).set(t.auth({ unit: 'kf-046' })).expect(200);
  expect(notes.body.items.map((n: { kind: string }) => n.kind)).toEqual(expect.arrayContaining(['urge', 'escalation']));

  const back = await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ to: '2026-12-01T00:00:00+08:00' }).expect(400);
  expect(back.body.issues[0]).toMatchObject({ path: 'body.to' });
  expect(back.body.issues[0].message).toContain('(+08:00)');
  await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ by: '1h', to: '2027-01-01T00:00:00+08:00' }).expect(400);
});

test('importing the 2027 notice: a bad line is refused by line; preview; confirm moves exactly the affected open work orders', async () => {
  const bad = await request(t.app)
    .post('/admin/calendar/years/2027/preview')
    .set(t.auth('admin'))
    .send({ format: 'notice', text: notice2027.replace('5月1日（周六）', '5月1日（周五）') })
    .expect(400);
  expect(bad.body.issues[0]).toMatchObject({ path: 'body.text', code: 'line_9' });
  expect(bad.body.issues[0].message).toContain('四、劳动节');
  await request(t.app).post('/admin/calendar/years/2027/preview').set(t.auth('center')).send({ format: 'notice', text: notice2027 }).expect(403);

  const preview = await request(t.app).post('/admin/calendar/years/2027/preview').set(t.auth('admin')).send({ format: 'notice', text: notice2027 }).expect(200);
  expect(preview.body.items).toHaveLength(7);
  expect(preview.body.current).toEqual({ source: 'provisional' });
  expect(preview.body.changes.makeUpWorkdays.added).toContain('2027-01-31');
  expect(preview.body.openWorkOrdersDepending).toBe(2);
  // The preview stored nothing.
  expect((await request(t.app).get('/admin/calendar/years').set(t.auth('admin')).expect(200)).body.imports).toEqual([]);

  const imported = await request(t.app).put('/admin/calendar/years/2027').set(t.auth('admin')).send({ format: 'notice', text: notice2027 }).expect(200);
  expect(imported.body).toMatchObject({ year: 2027, version: 1, source: 'notice', importedBy: expect.any(String) });
  expect(imported.body.workOrders.failed).toEqual([]);
  expect(imported.body.workOrders.confirmed).toEqual([ids.december]);
  expect(imported.body.workOrders.updated).toEqual([
    {
      workOrderId: ids.spring,
      changes: [expect.objectContaining({ name: 'completion', before: at('2027-02-11T02:00:00.000Z', ids.spring), after: at('2027-02-16T02:00:00.000Z', ids.spring), provisional: false })],
    },
  ]);

  const spring = await request(t.app).get(`/tickets/${ids.spring}`).set(t.auth('center')).expect(200);
  expect(completionOf(spring.body)).toMatchObject({ deadline: at('2027-02-16T02:00:00.000Z', ids.spring), provisional: false });
  expect(spring.body.timeline.at(-1)).toMatchObject({ type: 'calendarUpdated', actor: { role: 'admin' }, detail: { year: 2027, importId: '2027/1' } });
  const short = await request(t.app).get(`/tickets/${ids.short}/events`).set(t.auth('center')).expect(200);
  expect(short.body.items.some((e: { type: string }) => e.type === 'calendarUpdated')).toBe(false);
  const rows = (await request(t.app).get('/tickets').set(t.auth('center')).expect(200)).body.items;
  expect(rows.filter((r: { provisional: boolean }) => r.provisional)).toEqual([]);

  // Replacing needs an explicit replace, and records who did it.
  const again = await request(t.app).put('/admin/calendar/years/2027').set(t.auth('admin')).send({ format: 'notice', text: notice2027 }).expect(409);
  expect(again.body.type).toBe('CALENDAR_YEAR_EXISTS');
  const csv = ['date,kind', ...preview.body.holidays.map((d: string) => `${d},休`), ...preview.body.makeUpWorkdays.map((d: string) => `${d},班`)].join('\n');
  const replaced = await request(t.app).put('/admin/calendar/years/2027').set(t.auth('admin')).send({ format: 'csv', csv, replace: true }).expect(200);
  expect(replaced.body).toMatchObject({ version: 2, source: 'csv', replaced: { version: 1 } });
  expect(replaced.body.workOrders).toEqual({ updated: [], confirmed: [], failed: [] }); // nothing depends on a provisional 2027 any more
  const auditLog = await request(t.app).get('/admin/audit').set(t.auth('admin')).expect(200);
  expect(auditLog.body.items[0]).toMatchObject({ action: 'calendar.year.replace', detail: { year: 2027, version: 2 } });

  const health = await request(t.app).get('/health').expect(200);
  expect(health.body.calendar).toMatchObject({ status: 'ok', lastCoveredDay: '2027-12-31' });
});

test('in 2027 work orders are still taken (no CALENDAR_MISSING), on the imported schedule', async () => {
  await request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ to: '2027-01-04T09:00:00+08:00' }).expect(200);
  const created = await request(t.app).post('/tickets').set(t.auth('center')).send(intake({ summary: '新年第一单' })).expect(201);
  expect(created.body.provisional).toBe(false);
  // 5 working days from Monday 2027-01-04 09:00 (kaifeng-001), keeping the second it was taken in.
  const lag = Math.floor((Date.parse(created.body.createdAt) - Date.parse('2027-01-04T01:00:00Z')) / 1000) * 1000;
  expect(lag).toBeLessThan(60_000);
  expect(completionOf(created.body).deadline).toBe(new Date(Date.parse('2027-01-11T01:00:00.000Z') + lag).toISOString());
});

test('at start, work orders still provisional on a year that is now official catch up (a library update, or an import that missed them)', async () => {
  // 260 working days from 2027-01-04 reach into January 2028, provisional.
  const created = await request(t.app).post('/tickets').set(t.auth('center')).send(intake({ statutoryWorkingDays: 260, summary: '跨年长期' })).expect(201);
  const before = completionOf(created.body);
  expect(before).toMatchObject({ provisional: true });
  expect(before.deadline.startsWith('2028-01')).toBe(true);
  await eventually(
    () => request(t.app).get('/tickets').set(t.auth('center')),
    (r) => r.body.items?.some((i: { id: string; provisional: boolean }) => i.id === created.body.workOrderId && i.provisional),
  );
  // 2028 becomes official without reaching the work order (stored directly, as a library update would be):
  // the statutory days plus Monday 2028-01-03 off.
  const holidays = [...statutoryHolidays(2028).flatMap((h) => h.days), '2028-01-03'].sort();
  await saveOfficialYear(t.db.pool, { year: 2028, holidays, makeUpWorkdays: [], source: 'json' }, { userId: 'admin-test', at: new Date(), replace: false });

  // The app's own client: it carries the payload codec the worker expects (issue 15).
  const reports = await catchUpCalendar({ temporal: t.temporal, pool: t.db.pool, now: new Date(t.engine!.clock.now()) });
  expect(Object.keys(reports)).toEqual(['2028']);
  expect(reports[2028].updated.map((u) => u.workOrderId)).toEqual([created.body.workOrderId]);
  const after = completionOf((await request(t.app).get(`/tickets/${created.body.workOrderId}`).set(t.auth('center')).expect(200)).body);
  expect(after.provisional).toBe(false);
  expect(Date.parse(after.deadline) - Date.parse(before.deadline)).toBeGreaterThanOrEqual(86_400_000); // one more day off in its span
});
