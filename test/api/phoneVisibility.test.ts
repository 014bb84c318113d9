/**
 * Who sees a caller's phone (issue 12; 003 第八条(二) and 004 第十一条(一): the unit phones the
 * caller; 003 第十四条, 001 三(一)5: confidentiality): the current main and co-units while assigned
 * and open, never after re-dispatch or close, never on a confidential work order; phones typed into
 * free text masked for readers without the right; every reveal listed for the admins.
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(() => t?.stop());

type Who = Parameters<TestApp['auth']>[0];
const phone = '13800001111';
const intake = (over: Record<string, unknown> = {}) => ({
  callerName: '张三',
  callerPhone: phone,
  summary: '小区门口路灯一周不亮, 物业电话13912345678, 座机0371-23456789',
  category: 'complaint',
  mainUnitId: 'kf-047',
  coUnitIds: ['kf-025'],
  ...over,
});
const get = (id: string, who: Who) => request(t.app).get(`/tickets/${id}`).set(t.auth(who));
const act = (id: string, name: string, who: Who, body: Record<string, unknown> = {}) =>
  request(t.app).post(`/tickets/${id}/${name}`).set(t.auth(who)).send(body);
async function create(body: Record<string, unknown>): Promise<string> {
  const res = await request(t.app).post('/tickets').set(t.auth('center')).send(body).expect(201);
  return res.body.workOrderId as string;
}

describe("the caller's phone", () => {
  let id: string;
  beforeAll(async () => {
    id = await create(intake());
  });

  test('the main and the co-unit see it while assigned; the summary is theirs to read whole', async () => {
    for (const unit of ['kf-047', 'kf-025']) {
      const res = await get(id, { unit }).expect(200);
      expect(res.body.intake.callerPhone).toBe(phone);
      expect(res.body.intake.summary).toContain('13912345678');
    }
  });

  test('supervisors never see it; phones in the summary are masked for them', async () => {
    const res = await get(id, 'supervisor').expect(200);
    expect(JSON.stringify(res.body)).not.toContain(phone);
    expect(res.body.intake.summary).toBe('小区门口路灯一周不亮, 物业电话[电话已隐藏], 座机[电话已隐藏]');
    const list = await request(t.app).get(`/tickets?text=${encodeURIComponent('路灯一周不亮')}`).set(t.auth('supervisor')).expect(200);
    const row = list.body.items.find((i: { id: string }) => i.id === id);
    expect(row.callerPhone).toBeUndefined();
    expect(row.summary).not.toContain('13912345678');
  });

  test('after re-dispatch the old main unit no longer sees it (nor the work order); the new one does', async () => {
    const other = await create(intake());
    await act(other, 'return', { unit: 'kf-047' }, { reason: '不属于本单位职责' }).expect(200);
    await act(other, 'return-review', 'center', { approved: true, reason: '同意退回', nextMainUnitId: 'kf-046' }).expect(200);
    await get(other, { unit: 'kf-047' }).expect(404);
    expect((await get(other, { unit: 'kf-046' }).expect(200)).body.intake.callerPhone).toBe(phone);
  });

  test('after the work order closes the unit still reads it, without the phone; summary phones masked', async () => {
    const done = await create(intake({ coUnitIds: [] }));
    await act(done, 'sign', { unit: 'kf-047' }).expect(200);
    await act(done, 'reply', { unit: 'kf-047' }, {
      resultType: 'resolved',
      firstContactAt: '2026-03-02T02:00:00Z',
      firstContactPerson: '王五',
      facts: '控制箱故障',
      answer: '已更换控制箱',
      answeredAt: '2026-03-02T03:00:00Z',
    }).expect(200);
    await act(done, 'reply-review', 'center', { accepted: true, reason: '答复规范' }).expect(200);
    await act(done, 'callback', 'center', { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied' }).expect(200);
    const res = await get(done, { unit: 'kf-047' }).expect(200);
    expect(res.body.stage).toBe('closed');
    expect(JSON.stringify(res.body)).not.toContain(phone);
    expect(res.body.intake.summary).toContain('[电话已隐藏]');
  });

  test('a caller who asked for confidentiality (any category): no unit sees the name or the phone', async () => {
    const secret = await create(intake({ confidential: true }));
    for (const unit of ['kf-047', 'kf-025']) {
      const res = await get(secret, { unit }).expect(200);
      expect(res.body.confidential).toBe(true);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(phone);
      expect(text).not.toContain('张三');
      expect(res.body.intake.summary).not.toContain('13912345678');
    }
    expect((await get(secret, 'center').expect(200)).body.intake.callerPhone).toBe(phone);
  });

  test('every reveal is recorded (who, when, which work order) and listed for admins only', async () => {
    const fresh = await create(intake());
    await get(fresh, { unit: 'kf-047' }).expect(200);
    await get(fresh, 'supervisor').expect(200); // not shown: not recorded
    const res = await request(t.app).get(`/admin/phone-reveals?workOrderId=${fresh}`).set(t.auth('admin')).expect(200);
    const who = res.body.items.map((r: { userId: string; role: string; unitId: string | null; via: string }) => [r.userId, r.role, r.unitId, r.via]);
    expect(who).toEqual([
      ['unit-user-kf-047', 'unit', 'kf-047', 'ticket'],
      ['center-1', 'center', null, 'create'],
    ]);
    expect(res.body.items[0].revealedAt).toMatch(/Z$/);
    await request(t.app).get('/admin/phone-reveals').set(t.auth('supervisor')).expect(403);
  });
});

describe('专业评价 (002 三(一))', () => {
  test('the expert ruling is the evaluator’s: the center may not rule', async () => {
    const id = await create(intake());
    const res = await act(id, 'expert-ruling', 'center', { grade: 'satisfied', reason: '办理规范' });
    expect(res.status).toBe(403);
    // The evaluator reaches the workflow, which refuses it at this stage (no evaluation pending).
    const byEvaluator = await act(id, 'expert-ruling', 'evaluator', { grade: 'satisfied', reason: '办理规范' });
    expect([byEvaluator.status, byEvaluator.body.type]).toEqual([409, 'WRONG_STAGE']);
  });

  test('under 002 the evaluator grades an unsatisfied callback; the unit sees the grade and reason, not who evaluated', async () => {
    await request(t.app).put('/admin/profile').set(t.auth('admin')).send({ profileId: 'city-002' }).expect(200);
    const id = await create(intake({ coUnitIds: [] }));
    await act(id, 'sign', { unit: 'kf-047' }).expect(200);
    await act(id, 'reply', { unit: 'kf-047' }, {
      resultType: 'explained',
      firstContactAt: '2026-03-02T02:00:00Z',
      firstContactPerson: '王五',
      facts: '无政策依据',
      answer: '已解释说明',
      answeredAt: '2026-03-02T03:00:00Z',
    }).expect(200);
    await act(id, 'reply-review', 'center', { accepted: true, reason: '答复规范' }).expect(200);
    await act(id, 'callback', 'center', { contactedFirst: true, answered: true, resolved: false, satisfaction: 'unsatisfied', requestExpertEvaluation: true }).expect(200);
    const ruled = await act(id, 'expert-ruling', 'evaluator', { grade: 'basicallySatisfied', reason: '已按政策解释到位' }).expect(200);
    expect(ruled.body.stage).toBe('closed');
    expect(ruled.body.expertEvaluations[0]).toMatchObject({ grade: 'basicallySatisfied', ruledBy: 'evaluator-1' });
    const unit = await get(id, { unit: 'kf-047' }).expect(200);
    expect(unit.body.expertEvaluations[0]).toMatchObject({ grade: 'basicallySatisfied', reason: '已按政策解释到位' });
    expect(JSON.stringify(unit.body)).not.toContain('evaluator-1');
    const events = await request(t.app).get(`/tickets/${id}/events`).set(t.auth({ unit: 'kf-047' })).expect(200);
    expect(JSON.stringify(events.body)).not.toContain('evaluator-1');
  });
});
