/**
 * Work orders through HTTP on the real app, worker, engine and embedded PostgreSQL: one whole
 * life, idempotent creation, refusals (409), unknown work orders (404), the access matrix
 * (every role × every call) and masking of the caller's identity.
 */
import request from 'supertest';
import { unitFacts } from '../../api/reports/facts';
import { workOrderActions, type WorkOrderActionName } from '../../api/tickets/actions';
import type { WorkOrderState } from '../../workflows/messages';
import { startTestApp, TestApp } from '../support/app';
import { eventually } from '../support/eventually';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(() => t?.stop());

type Who = 'center' | 'supervisor' | 'admin' | { unit: string };

const intake = (over: Record<string, unknown> = {}) => ({
  callerName: '张三',
  callerPhone: '13800001111',
  summary: '小区门口路灯连续一周不亮',
  category: 'complaint',
  address: '鼓楼区 中山路 12 号',
  ...over,
});

const reply = {
  resultType: 'resolved',
  firstContactAt: '2026-03-02T02:00:00Z',
  firstContactPerson: '王五',
  facts: '路灯控制箱故障',
  answer: '已更换控制箱，路灯恢复',
  answeredAt: '2026-03-02T03:00:00Z',
};

async function create(body: Record<string, unknown>, who: Who = 'center'): Promise<string> {
  const res = await request(t.app).post('/tickets').set(t.auth(who)).send(body);
  expect(res.status).toBe(201);
  return res.body.workOrderId as string;
}

function act(id: string, name: string, who: Who, body: Record<string, unknown> = {}) {
  return request(t.app).post(`/tickets/${id}/${name}`).set(t.auth(who)).send(body);
}


describe('the life of one work order', () => {
  let id: string;

  test('created by the center: 201, Location, dispatched to its main and co-unit', async () => {
    const res = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .send(intake({ mainUnitId: 'kf-047', coUnitIds: ['kf-025'] }))
      .expect(201);
    id = res.body.workOrderId;
    expect(id).toMatch(/^20260302\d{6}$/);
    expect(res.headers.location).toBe(`/tickets/${id}`);
    expect(res.body).toMatchObject({ stage: 'dispatched', mainUnitId: 'kf-047', coUnitIds: ['kf-025'], createdBy: { userId: 'center-1' } });
    expect(res.body.clocks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['sign', 'firstContact', 'completion']));
  });

  test('the units sign, contact the caller and reply; the center reviews, calls back and it closes', async () => {
    expect((await act(id, 'sign', { unit: 'kf-047' }, { note: '已签收' })).body.stage).toBe('handling');
    expect((await act(id, 'sign', { unit: 'kf-025' })).status).toBe(200);
    const contact = await act(id, 'contact', { unit: 'kf-047' }, { reached: true, method: 'phone', person: '王五' });
    expect(contact.status).toBe(200);
    const replied = await act(id, 'reply', { unit: 'kf-047' }, reply);
    expect(replied.body.stage).toBe('replied');
    const reviewed = await act(id, 'reply-review', 'center', { accepted: true, reason: '答复规范' });
    expect(reviewed.body.stage).toBe('callback');
    const closed = await act(id, 'callback', 'center', {
      contactedFirst: true,
      answered: true,
      resolved: true,
      satisfaction: 'satisfied',
    });
    expect(closed.status).toBe(200);
    expect(closed.body.stage).toBe('closed');
  });

  test('its live state and timeline name who did what', async () => {
    const res = await request(t.app).get(`/tickets/${id}`).set(t.auth('supervisor')).expect(200);
    expect(res.body.stage).toBe('closed');
    const who = (type: string) =>
      res.body.timeline.filter((e: { type: string }) => e.type === type).map((e: { actor: { userId: string } }) => e.actor.userId);
    expect(who('created')).toEqual(['center-1']);
    expect(who('signed').sort()).toEqual(['unit-user-kf-025', 'unit-user-kf-047']);
    expect(who('replied')).toEqual(['unit-user-kf-047']);
    expect(who('callback')).toEqual(['center-1']);
  });

  test('its whole timeline is readable from the read model, by its units and not by others', async () => {
    const events = await eventually(
      () => request(t.app).get(`/tickets/${id}/events`).set(t.auth({ unit: 'kf-047' })),
      (r) => r.body.items?.some((e: { type: string }) => e.type === 'closed' || e.type === 'callback'),
    );
    expect(events.status).toBe(200);
    const seqs = events.body.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => a - b));
    expect(events.body.items.find((e: { type: string }) => e.type === 'replied').actor).toMatchObject({ userId: 'unit-user-kf-047', role: 'unit' });
    const page = await request(t.app).get(`/tickets/${id}/events?afterSeq=${seqs[1]}&limit=1`).set(t.auth('center')).expect(200);
    expect(page.body.items.map((e: { seq: number }) => e.seq)).toEqual([seqs[2]]);
    await request(t.app).get(`/tickets/${id}/events`).set(t.auth({ unit: 'kf-001' })).expect(404);
  });

  test('the read model records every action with its actor and lists it as closed', async () => {
    const listed = await eventually(
      () => request(t.app).get('/tickets?stage=closed').set(t.auth('center')),
      (r) => r.body.items?.some((i: { id: string }) => i.id === id),
    );
    expect(listed.body.items.find((i: { id: string }) => i.id === id)).toMatchObject({ stage: 'closed', mainUnitId: 'kf-047', overdue: false });
    const { rows } = await t.db.pool.query<{ type: string; actor_user_id: string | null }>(
      'SELECT type, actor_user_id FROM work_order_events WHERE work_order_id = $1 ORDER BY seq',
      [id],
    );
    const actions = rows.filter((r) => ['signed', 'replied', 'callback'].includes(r.type));
    expect(actions.length).toBeGreaterThanOrEqual(3);
    for (const r of actions) expect(r.actor_user_id).toMatch(/^(unit-user-kf-0(47|25)|center-1)$/);
  });

  test('its facts for scoring: one per unit, with what each did and the citizen’s verdict', async () => {
    const { rows } = await eventually(
      () => t.db.pool.query<{ state: WorkOrderState }>('SELECT state FROM work_orders WHERE id = $1', [id]),
      (r) => r.rows[0]?.state.stage === 'closed',
    );
    const facts = unitFacts(rows[0].state);
    expect(facts.map((f) => [f.unitId, f.role]).sort()).toEqual([
      ['kf-025', 'co'],
      ['kf-047', 'main'],
    ]);
    const main = facts.find((f) => f.role === 'main')!;
    expect(main).toMatchObject({ resultType: 'resolved', satisfaction: 'satisfied', resolved: true, contactedFirst: true, extended: false });
    expect(main.signedAt).not.toBeNull();
    expect(main.repliedAt).not.toBeNull();
    expect(main.closedAt).not.toBeNull();
    expect(new Date(main.signedAt!).getTime()).toBeLessThanOrEqual(new Date(main.signDeadline!).getTime());
    const co = facts.find((f) => f.role === 'co')!;
    // 主协办同责 (003 附件2): the co-unit shares the work order's reply and callback (issue 12).
    expect(co.repliedAt).toBe(main.repliedAt);
    expect(co.completionDeadline).toBe(main.completionDeadline);
    expect(co.satisfaction).toBe('satisfied');
  });

  test('the monthly report and the unit scores count it (JSON and CSV)', async () => {
    const report = await eventually(
      () => request(t.app).get('/reports/monthly?month=2026-03').set(t.auth('supervisor')),
      (r) => r.body.units?.some((u: { unitId: string }) => u.unitId === 'kf-047'),
    );
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ month: '2026-03', profileId: 'kaifeng-001' });
    const main = report.body.units.find((u: { unitId: string }) => u.unitId === 'kf-047');
    expect(main).toMatchObject({ unitName: '市城市照明管理处' });
    expect(main.volume).toBeGreaterThanOrEqual(1);
    expect(report.body.units.some((u: { unitId: string }) => u.unitId === 'kf-025')).toBe(true); // co-unit shares it

    const csv = await request(t.app).get('/reports/monthly?month=2026-03&format=csv').set(t.auth('supervisor')).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 5)).toEqual(['month', 'unitId', 'unitName', 'volume', 'volumeRank']);
    expect(lines.some((l) => l.startsWith('2026-03,kf-047,市城市照明管理处,'))).toBe(true);

    const scores = await request(t.app).get('/units/kf-047/scores?month=2026-03').set(t.auth('supervisor')).expect(200);
    expect(scores.body).toMatchObject({ unitId: 'kf-047', month: '2026-03' });
    expect(scores.body.volume).toBe(main.volume);
  });

  test('the units were notified of the new work order; other units were not', async () => {
    const mine = await eventually(
      () => request(t.app).get(`/notifications?workOrderId=${id}`).set(t.auth({ unit: 'kf-047' })),
      (r) => r.body.items?.length > 0,
    );
    expect(mine.body.items.map((n: { kind: string }) => n.kind)).toContain('newWorkOrder');
    expect(JSON.stringify(mine.body)).not.toContain('13800001111');
    const other = await request(t.app).get(`/notifications?workOrderId=${id}`).set(t.auth({ unit: 'kf-001' })).expect(200);
    expect(other.body.items).toEqual([]);
    const center = await request(t.app).get(`/notifications?workOrderId=${id}&kind=replySubmitted`).set(t.auth('center')).expect(200);
    expect(center.body.items).toHaveLength(1);
    const read = await request(t.app).post(`/notifications/${encodeURIComponent(mine.body.items[0].id)}/read`).set(t.auth({ unit: 'kf-047' }));
    expect(read.status).toBe(204);
    await request(t.app).post(`/notifications/${encodeURIComponent(mine.body.items[0].id)}/read`).set(t.auth({ unit: 'kf-001' })).expect(404);
  });
});

describe('idempotent creation', () => {
  test('the same Idempotency-Key and body twice → one work order', async () => {
    const body = intake({ summary: '幂等测试：同一请求发送两次' });
    const first = await request(t.app).post('/tickets').set(t.auth('center')).set('Idempotency-Key', 'call-778899').send(body).expect(201);
    const second = await request(t.app).post('/tickets').set(t.auth('center')).set('Idempotency-Key', 'call-778899').send(body).expect(201);
    expect(second.body.workOrderId).toBe(first.body.workOrderId);
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const listed = await eventually(
      () => request(t.app).get(`/tickets?text=${encodeURIComponent('幂等测试')}`).set(t.auth('center')),
      (r) => r.body.total >= 1,
    );
    expect(listed.body.total).toBe(1);
  });

  test('two concurrent requests with one key, to two API processes → one work order', async () => {
    const body = intake({ summary: '幂等测试：并发重复提交' });
    const second = t.anotherApp();
    const send = (app: typeof t.app) =>
      request(app).post('/tickets').set(t.auth('center')).set('Idempotency-Key', 'call-concurrent').send(body);
    const [a, b] = await Promise.all([send(t.app), send(second)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.workOrderId).toBe(b.body.workOrderId);
    const listed = await eventually(
      () => request(t.app).get(`/tickets?text=${encodeURIComponent('并发重复提交')}`).set(t.auth('center')),
      (r) => r.body.total >= 1,
    );
    expect(listed.body.total).toBe(1);
  });

  test('the same key with another body is refused; another user has its own keys', async () => {
    const res = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .set('Idempotency-Key', 'call-778899')
      .send(intake({ summary: '别的内容' }))
      .expect(422);
    expect(res.body.type).toBe('IDEMPOTENCY_KEY_REUSED');
    const other = await request(t.app)
      .post('/tickets')
      .set(t.auth('admin'))
      .set('Idempotency-Key', 'call-778899')
      .send(intake({ summary: '幂等测试：另一位用户' }))
      .expect(201);
    expect(other.body.createdBy.userId).toBe('admin-1');
  });
});

describe('refusals and unknown work orders', () => {
  test('a refused action is 409 with the rule’s type and a sentence', async () => {
    const id = await create(intake({ mainUnitId: 'kf-012' }));
    const early = await act(id, 'reply', { unit: 'kf-012' }, reply).expect(409);
    expect(early.body.type).toBe('WRONG_STAGE');
    expect(early.body.message).toMatch(/dispatched/);
    await act(id, 'sign', { unit: 'kf-012' }).expect(200);
    const twice = await act(id, 'sign', { unit: 'kf-012' }).expect(409);
    expect(twice.body.type).toBe('WRONG_STAGE');
    await act(id, 'extension', { unit: 'kf-012' }, { workingDays: 2, reason: '需要现场勘查' }).expect(200);
    const pending = await act(id, 'extension', { unit: 'kf-012' }, { workingDays: 1, reason: '再延' }).expect(409);
    expect(pending.body.type).toBe('EXTENSION_PENDING');
    await act(id, 'withdraw', 'center', { reason: '市民来电表示已解决' }).expect(200);
    const closed = await act(id, 'contact', { unit: 'kf-012' }, { reached: true, person: '王五' }).expect(409);
    expect(closed.body.type).toBe('WORK_ORDER_CLOSED');
  });

  test('an unknown work order is 404 for reads and actions', async () => {
    await request(t.app).get('/tickets/19990101000001').set(t.auth('center')).expect(404);
    const res = await act('19990101000001', 'withdraw', 'center', { reason: 'x' }).expect(404);
    expect(res.body.type).toBe('NOT_FOUND');
    await act('19990101000001', 'sign', { unit: 'kf-001' }).expect(404);
  });

  test('dispatching to a unit that does not exist is 400 naming the field', async () => {
    const id = await create(intake());
    const res = await act(id, 'dispatch', 'center', { mainUnitId: 'kf-404' }).expect(400);
    expect(res.body.issues[0].path).toBe('body.mainUnitId');
  });
});

describe('return and re-dispatch', () => {
  test('an approved return moves the work order to the named unit; the first unit loses access', async () => {
    const id = await create(intake({ summary: '退单测试：占道经营', mainUnitId: 'kf-007' }));
    const returned = await act(id, 'return', { unit: 'kf-007' }, { reason: '属于城管职责' }).expect(200);
    expect(returned.body.stage).toBe('returnRequested');
    const unknown = await act(id, 'return-review', 'center', { approved: true, nextMainUnitId: 'kf-777', reason: '改派' }).expect(400);
    expect(unknown.body.issues[0].path).toBe('body.nextMainUnitId');
    const moved = await act(id, 'return-review', 'center', { approved: true, nextMainUnitId: 'kf-048', reason: '改派城管执法支队' }).expect(200);
    expect(moved.body).toMatchObject({ stage: 'dispatched', mainUnitId: 'kf-048' });
    await request(t.app).get(`/tickets/${id}`).set(t.auth({ unit: 'kf-007' })).expect(404);
    await act(id, 'sign', { unit: 'kf-007' }).expect(404);
    const signed = await act(id, 'sign', { unit: 'kf-048' }).expect(200);
    expect(signed.body.stage).toBe('handling');
    const notes = await eventually(
      () => request(t.app).get(`/notifications?workOrderId=${id}`).set(t.auth({ unit: 'kf-007' })),
      (r) => r.body.items?.some((n: { kind: string }) => n.kind === 'returnReviewed'),
    );
    expect(notes.body.items.map((n: { kind: string }) => n.kind)).toContain('returnReviewed');
  });

  test('an action retried with its Idempotency-Key is applied once; without a key twice', async () => {
    const id = await create(intake({ summary: '重复督办测试', mainUnitId: 'kf-033' }));
    const supervise = () =>
      request(t.app).post(`/tickets/${id}/supervise`).set(t.auth('center')).set('Idempotency-Key', 'sv-1').send({ reason: '重复提交', trigger: 'manual' });
    const first = await supervise().expect(200);
    const again = await supervise().expect(200);
    const manual = (s: { escalations: { trigger: string }[] }) => s.escalations.filter((e) => e.trigger === 'manual').length;
    expect(manual(first.body)).toBe(1);
    expect(manual(again.body)).toBe(1);
    const third = await act(id, 'supervise', 'center', { reason: '再次督办', trigger: 'manual' }).expect(200);
    expect(manual(third.body)).toBe(2);
  });

  test('the center supervises by hand and the supervisor sees the escalation recorded with its actor', async () => {
    const id = await create(intake({ summary: '督办测试', mainUnitId: 'kf-031' }));
    const res = await act(id, 'supervise', 'supervisor', { reason: '媒体曝光', trigger: 'media' }).expect(200);
    const manual = res.body.escalations.find((e: { trigger: string }) => e.trigger === 'media');
    expect(manual).toMatchObject({ by: 'supervisor-1', reason: '媒体曝光' });
    const records = await eventually(
      () => t.db.pool.query('SELECT opened_by, trigger FROM supervision_records WHERE work_order_id = $1', [id]),
      (r) => r.rows.length > 0,
    );
    expect(records.rows[0]).toMatchObject({ opened_by: 'supervisor-1', trigger: 'media' });
  });
});

describe('access and masking', () => {
  let confidential: string;
  let plain: string;
  const phone = '13912345678';
  const name = '举报人李某';

  beforeAll(async () => {
    confidential = await create(intake({ category: 'report', callerName: name, callerPhone: phone, summary: '举报某餐馆无证经营', mainUnitId: 'kf-034', coUnitIds: ['kf-016'] }));
    plain = await create(intake({ callerName: '赵六', callerPhone: '13700007777', summary: '咨询社保转移', category: 'consultation', mainUnitId: 'kf-042' }));
  });

  test('the main and co-unit see a confidential work order without the caller’s name or phone', async () => {
    for (const unit of ['kf-034', 'kf-016']) {
      const res = await request(t.app).get(`/tickets/${confidential}`).set(t.auth({ unit })).expect(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(phone);
      expect(text).not.toContain(name);
      expect(res.body.summary ?? res.body.intake.summary).toBe('举报某餐馆无证经营');
    }
  });

  test('the assigned unit sees a plain caller’s name and phone (issue 12: it phones the caller); supervisors never the phone; the center both', async () => {
    const unit = await request(t.app).get(`/tickets/${plain}`).set(t.auth({ unit: 'kf-042' })).expect(200);
    expect(unit.body.intake.callerName).toBe('赵六');
    expect(unit.body.intake.callerPhone).toBe('13700007777');
    const supervisor = await request(t.app).get(`/tickets/${confidential}`).set(t.auth('supervisor')).expect(200);
    expect(supervisor.body.intake.callerName).toBe(name);
    expect(JSON.stringify(supervisor.body)).not.toContain(phone);
    for (const who of ['center', 'admin'] as const) {
      const res = await request(t.app).get(`/tickets/${confidential}`).set(t.auth(who)).expect(200);
      expect(res.body.intake).toMatchObject({ callerName: name, callerPhone: phone });
    }
  });

  test('unit A cannot read, list, search or act on unit B’s work orders', async () => {
    await request(t.app).get(`/tickets/${confidential}`).set(t.auth({ unit: 'kf-001' })).expect(404);
    await act(confidential, 'sign', { unit: 'kf-001' }).expect(404);
    await act(confidential, 'return', { unit: 'kf-001' }, { reason: '不属于本单位职责' }).expect(404);
    const list = await eventually(
      () => request(t.app).get('/tickets').set(t.auth({ unit: 'kf-034' })),
      (r) => r.body.items?.some((i: { id: string }) => i.id === confidential),
    );
    expect(list.body.items.every((i: { mainUnitId: string; coUnitIds: string[] }) => i.mainUnitId === 'kf-034' || i.coUnitIds.includes('kf-034'))).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(phone);
    expect(JSON.stringify(list.body)).not.toContain(name);
    const stranger = await request(t.app).get('/tickets').set(t.auth({ unit: 'kf-001' })).expect(200);
    expect(stranger.body.items.map((i: { id: string }) => i.id)).not.toContain(confidential);
    // Searching by the phone finds nothing for a unit, the work order for the center.
    const unitSearch = await request(t.app).get(`/tickets?text=${phone}`).set(t.auth({ unit: 'kf-034' })).expect(200);
    expect(unitSearch.body.total).toBe(0);
    const centerSearch = await request(t.app).get(`/tickets?text=${phone}`).set(t.auth('center')).expect(200);
    expect(centerSearch.body.items.map((i: { id: string }) => i.id)).toEqual([confidential]);
    expect(centerSearch.body.items[0].callerPhone).toBe(phone);
  });

  test('list filters: unit, category, created range, paging', async () => {
    await eventually(
      () => request(t.app).get('/tickets?unit=kf-042').set(t.auth('supervisor')),
      (r) => r.body.total >= 1,
    );
    const byUnit = await request(t.app).get('/tickets?unit=kf-042&category=consultation').set(t.auth('supervisor')).expect(200);
    expect(byUnit.body.items.map((i: { id: string }) => i.id)).toEqual([plain]);
    expect(byUnit.body.items[0].callerPhone).toBeUndefined();
    const none = await request(t.app).get('/tickets?createdTo=2026-01-01').set(t.auth('center')).expect(200);
    expect(none.body.total).toBe(0);
    const page = await request(t.app).get('/tickets?pageSize=1&page=2').set(t.auth('center')).expect(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.total).toBeGreaterThan(2);
  });
});

describe('the access matrix: every role × every call', () => {
  const bodies: Record<WorkOrderActionName, Record<string, unknown>> = {
    'pre-brief': { reached: true },
    instruction: { instruction: '请尽快办理' },
    dispatch: { mainUnitId: 'kf-020' },
    'return-review': { approved: false, reason: '属于职责范围' },
    'extension-review': { approved: true, reason: '同意' },
    'reply-review': { accepted: true, reason: '同意' },
    callback: { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied' },
    'expert-ruling': { ruling: 'upheld', reason: '维持' },
    withdraw: { reason: '市民撤单' },
    supervise: { reason: '媒体曝光', trigger: 'media' },
    sign: {},
    return: { reason: '不属于本单位' },
    contact: { reached: true, person: '王五' },
    extension: { workingDays: 2, reason: '复杂' },
    reply,
  };
  const roles: Who[] = ['center', 'supervisor', 'admin', { unit: 'kf-020' }, { unit: 'kf-030' }];
  let closed: string;

  beforeAll(async () => {
    closed = await create(intake({ summary: '矩阵测试', mainUnitId: 'kf-020' }));
    await act(closed, 'withdraw', 'center', { reason: '矩阵测试结束' }).expect(200);
  });

  test('actions: forbidden roles 403, a unit not on the work order 404, everyone allowed reaches the workflow (409 on a closed one)', async () => {
    const seen: string[] = [];
    for (const name of Object.keys(workOrderActions) as WorkOrderActionName[]) {
      const allowed = workOrderActions[name].roles as readonly string[];
      for (const who of roles) {
        const role = typeof who === 'string' ? who : 'unit';
        const res = await act(closed, name, who, bodies[name]);
        const expected = !allowed.includes(role) ? 403 : typeof who !== 'string' && who.unit !== 'kf-020' ? 404 : 409;
        seen.push(`${name} ${JSON.stringify(who)} ${res.status}`);
        expect(`${name} ${JSON.stringify(who)} ${res.status}`).toBe(`${name} ${JSON.stringify(who)} ${expected}`);
        if (expected === 409) expect(res.body.type).toBe('WORK_ORDER_CLOSED');
      }
    }
    expect(seen).toHaveLength(Object.keys(workOrderActions).length * roles.length);
  });

  test('a work order withdrawn before it was signed owes no deadline in the scores', async () => {
    const { rows } = await eventually(
      () => t.db.pool.query<{ state: WorkOrderState }>('SELECT state FROM work_orders WHERE id = $1', [closed]),
      (r) => r.rows[0]?.state.stage === 'withdrawn',
    );
    const [facts] = unitFacts(rows[0].state);
    expect(facts).toMatchObject({ unitId: 'kf-020', signedAt: null, signDeadline: null, completionDeadline: null, closedAt: null });
  });

  test('reads: who may read what', async () => {
    const calls: [string, Record<string, number>][] = [
      ['/tickets', { center: 200, supervisor: 200, admin: 200, 'kf-020': 200, 'kf-030': 200 }],
      [`/tickets/${closed}`, { center: 200, supervisor: 200, admin: 200, 'kf-020': 200, 'kf-030': 404 }],
      [`/tickets/${closed}/events`, { center: 200, supervisor: 200, admin: 200, 'kf-020': 200, 'kf-030': 404 }],
      // Admins read the center's outbox and their own (the calendar running out, issue 10).
      ['/notifications', { center: 200, supervisor: 200, admin: 200, 'kf-020': 200, 'kf-030': 200 }],
      ['/reports/monthly?month=2026-03', { center: 200, supervisor: 200, admin: 200, 'kf-020': 403, 'kf-030': 403 }],
      ['/units/kf-020/scores?month=2026-03', { center: 200, supervisor: 200, admin: 200, 'kf-020': 200, 'kf-030': 404 }],
      ['/units', { center: 200, supervisor: 200, admin: 200, 'kf-020': 200, 'kf-030': 200 }],
      ['/admin/users', { center: 403, supervisor: 403, admin: 200, 'kf-020': 403, 'kf-030': 403 }],
      ['/admin/calendar', { center: 403, supervisor: 403, admin: 200, 'kf-020': 403, 'kf-030': 403 }],
      ['/admin/profile', { center: 200, supervisor: 200, admin: 200, 'kf-020': 403, 'kf-030': 403 }],
    ];
    for (const [path, expected] of calls) {
      for (const who of roles) {
        const key = typeof who === 'string' ? who : who.unit;
        const res = await request(t.app).get(path).set(t.auth(who));
        expect(`${path} ${key} ${res.status}`).toBe(`${path} ${key} ${expected[key]}`);
      }
    }
  });
});
