/**
 * A month of work at the hotline for the supervisor's tests (issue 14), made through the API on
 * the sandbox clock (profile kaifeng-001, starting Monday 2026-03-02 09:00 +08:00):
 *
 * | work order | unit | what happens | what it shows |
 * |---|---|---|---|
 * | good | kf-047 | signed, contacted, replied, accepted, callback 满意 | closed |
 * | notContacted | kf-047 | as good, but the callback says 未先联 | 未先联 list, first-contact rate |
 * | unsatisfied | kf-046 | replied; callback 未解决 + 不满意 → re-handling | 未解决 and 不满意 lists |
 * | unsigned | kf-046 | never signed | 催办 twice, then 督办 by the clock; late sign |
 * | extended | kf-025 | signed, extension of 1 working day approved, never replied | overdue after extension (−5: urged twice, 001 第四条(四)6) |
 * | supervised | kf-025 | signed; the supervisor issues 督办 on site | an open 督办 with its method |
 * | late | kf-010 | signed, contacted, replied, closed on 03-16 | a fourth unit in the ranking |
 *
 * Then the clock moves to 2026-03-20 10:00 +08:00, so every March deadline has passed.
 */
import request from 'supertest';
import { eventually } from './eventually';
import type { TestApp } from './app';

export const month = '2026-03';
export const endOfScenario = '2026-03-20T10:00:00+08:00';

export interface SupervisorMonth {
  good: string;
  notContacted: string;
  unsatisfied: string;
  unsigned: string;
  extended: string;
  supervised: string;
  late: string;
}

type Who = Parameters<TestApp['auth']>[0];

export async function generateSupervisorMonth(t: TestApp): Promise<SupervisorMonth> {
  const create = async (mainUnitId: string, summary: string): Promise<string> => {
    const res = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .send({ callerName: '王市民', callerPhone: '13700001234', summary, category: 'complaint', mainUnitId })
      .expect(201);
    return res.body.workOrderId as string;
  };
  const act = async (id: string, action: string, who: Who, body: Record<string, unknown> = {}) => {
    const res = await request(t.app).post(`/tickets/${id}/${action}`).set(t.auth(who)).send(body);
    if (res.status !== 200) throw new Error(`${action} on ${id} by ${JSON.stringify(who)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const advanceTo = (to: string) => request(t.app).post('/admin/clock/advance').set(t.auth('admin')).send({ to }).expect(200);
  const reply = (at: string) => ({
    resultType: 'resolved',
    firstContactAt: at,
    firstContactPerson: '王市民',
    facts: '已现场核实',
    answer: '已处理完毕',
    answeredAt: at,
  });
  const handle = async (id: string, unit: string, at: string) => {
    await act(id, 'sign', { unit });
    await act(id, 'contact', { unit }, { reached: true, person: '王市民' });
    await act(id, 'reply', { unit }, reply(at));
    await act(id, 'reply-review', 'center', { accepted: true, reason: '答复规范' });
  };

  const good = await create('kf-047', '路灯不亮');
  const notContacted = await create('kf-047', '人行道破损');
  const unsatisfied = await create('kf-046', '井盖缺失');
  const unsigned = await create('kf-046', '下水道堵塞');
  const extended = await create('kf-025', '小区绿化带被占');
  const supervised = await create('kf-025', '噪音扰民');

  await handle(good, 'kf-047', '2026-03-02T10:00:00+08:00');
  await act(good, 'callback', 'center', { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied' });
  await handle(notContacted, 'kf-047', '2026-03-02T10:00:00+08:00');
  await act(notContacted, 'callback', 'center', { contactedFirst: false, answered: true, resolved: true, satisfaction: 'basicallySatisfied' });
  await handle(unsatisfied, 'kf-046', '2026-03-02T10:00:00+08:00');
  await act(unsatisfied, 'callback', 'center', { contactedFirst: true, answered: true, resolved: false, satisfaction: 'unsatisfied' });

  await act(extended, 'sign', { unit: 'kf-025' });
  await act(extended, 'contact', { unit: 'kf-025' }, { reached: true, person: '王市民' });
  await act(extended, 'extension', { unit: 'kf-025' }, { workingDays: 1, reason: '需协调物业' });
  await act(extended, 'extension-review', 'center', { approved: true, reason: '同意延期' });
  await act(supervised, 'sign', { unit: 'kf-025' });
  await act(supervised, 'supervise', 'supervisor', { method: 'onSite', trigger: 'media', reason: '媒体关注，现场督办' });

  // A week on: a fourth unit's work order, closed mid-month.
  await advanceTo('2026-03-09T09:00:00+08:00');
  const late = await create('kf-010', '公交站牌损坏');
  await handle(late, 'kf-010', '2026-03-09T11:00:00+08:00');
  await advanceTo('2026-03-16T09:00:00+08:00');
  await act(late, 'callback', 'center', { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied' });

  await advanceTo(endOfScenario);
  // The read model has every work order's last state (the activities record after the workflow moves).
  await eventually(
    () => request(t.app).get(`/tickets?createdFrom=2026-03-01&pageSize=50`).set(t.auth('supervisor')),
    (r) => r.body.items?.find((i: { id: string; stage: string }) => i.id === late)?.stage === 'closed',
    60_000,
  );
  return { good, notContacted, unsatisfied, unsigned, extended, supervised, late };
}
