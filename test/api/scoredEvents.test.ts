/**
 * 000 附件2 四.4–六 deductions no stored fact shows: a supervisor enters them with a reason, they
 * are listed, and the month's score counts them (issue 12).
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await request(t.app).put('/admin/profile').set(t.auth('admin')).send({ profileId: 'lushan-000' }).expect(200);
}, 120_000);
afterAll(() => t?.stop());

test('an entered 六.3 信息保密 event costs the unit 5 points in its month, and is listed with its reason', async () => {
  const before = await request(t.app).get('/units/kf-047/scores?month=2026-03').set(t.auth('supervisor')).expect(200);
  const entered = await request(t.app)
    .post('/reports/scored-events')
    .set(t.auth('supervisor'))
    .send({ unitId: 'kf-047', event: 'confidentialityBreach', at: '2026-03-01T10:00:00+08:00', reason: '泄露来电人信息致其受到打击报复' })
    .expect(201);
  expect(entered.body).toMatchObject({ unitId: 'kf-047', event: 'confidentialityBreach', recordedBy: 'supervisor-1' });
  const after = await request(t.app).get('/units/kf-047/scores?month=2026-03').set(t.auth('supervisor')).expect(200);
  // A unit with no work in March had nothing scored; now 服务质量 10 − 5 = 5.
  expect(before.body.breakdown.serviceQuality).toBeUndefined();
  expect(after.body.breakdown.serviceQuality).toBe(5);
  const april = await request(t.app).get('/units/kf-047/scores?month=2026-04').set(t.auth('supervisor')).expect(200);
  expect(april.body.breakdown.serviceQuality).toBeUndefined();
  const list = await request(t.app).get('/reports/scored-events?month=2026-03').set(t.auth('center')).expect(200);
  expect(list.body.items.map((e: { event: string; reason: string }) => [e.event, e.reason])).toEqual([['confidentialityBreach', '泄露来电人信息致其受到打击报复']]);
});

test('bad input names the field; units may not enter events; an unknown unit is 404', async () => {
  const bad = await request(t.app).post('/reports/scored-events').set(t.auth('supervisor')).send({ unitId: 'kf-047', event: 'lateSign', at: 'yesterday', reason: '' });
  expect(bad.status).toBe(400);
  const paths = [...new Set(bad.body.issues.map((i: { path: string }) => i.path))].sort();
  expect(paths).toEqual(['body.at', 'body.event', 'body.reason']);
  await request(t.app).post('/reports/scored-events').set(t.auth({ unit: 'kf-047' })).send({ unitId: 'kf-047', event: 'rudeToHotline', at: '2026-03-03T10:00:00+08:00', reason: 'x' }).expect(403);
  await request(t.app).post('/reports/scored-events').set(t.auth('supervisor')).send({ unitId: 'kf-999', event: 'rudeToHotline', at: '2026-03-03T10:00:00+08:00', reason: 'x' }).expect(404);
});
