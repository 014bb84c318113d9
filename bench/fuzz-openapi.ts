/**
 * The OpenAPI fuzz in full (issue 11): every operation of /openapi.json × every role and no
 * token × FUZZ_PER_OPERATION requests (default 25: about 5 000 requests), against the real app,
 * worker, engine and embedded PostgreSQL. Prints its counts — status codes, 5xx, answers slower
 * than 10 s, 400s that name no field — and whether the service still creates and closes a work
 * order afterwards. Exit code 1 when any of those fails.
 *
 *   npm run bench:fuzz                      # FUZZ_PER_OPERATION=25 FUZZ_SEED=11
 */
import os from 'node:os';
import request from 'supertest';
import { startTestApp } from '../test/support/app';
import { fuzzOpenApi } from '../test/support/openapiFuzz';

async function main(): Promise<void> {
  const perOperation = Number(process.env.FUZZ_PER_OPERATION ?? 25);
  const seed = Number(process.env.FUZZ_SEED ?? 11);
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load ${os.loadavg()[0].toFixed(2)}`);
  const t = await startTestApp();
  let failed = false;
  try {
    const created = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .send({ callerName: '张三', callerPhone: '13800001111', summary: '模糊测试', category: 'help', mainUnitId: 'kf-010' })
      .expect(201);
    const started = Date.now();
    const report = await fuzzOpenApi(t.app, t.auth, {
      perOperation,
      seed,
      known: { workOrderId: created.body.workOrderId, unitId: 'kf-010', userId: 'unit-user-kf-010' },
      roles: ['center', 'supervisor', 'admin', { unit: 'kf-010' }],
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(`operations: ${report.operations}, requests: ${report.requests} in ${seconds.toFixed(1)} s (slowest ${report.slowestMs} ms)`);
    console.log(`by status: ${Object.entries(report.byStatus).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    console.log(`5xx: ${report.serverErrors.length}, hangs over 10 s: ${report.hangs.length}, 400s naming no field: ${report.unnamed400s.length}`);
    for (const f of [...report.serverErrors, ...report.hangs, ...report.unnamed400s].slice(0, 20)) {
      console.log(`  ${f.status} ${f.method.toUpperCase()} ${f.url} as ${f.who}: ${f.detail}`);
    }
    failed = report.serverErrors.length + report.hangs.length + report.unnamed400s.length > 0;

    // Afterwards: a work order from creation to close.
    await request(t.app).put('/admin/profile').set(t.auth('admin')).send({ profileId: 'kaifeng-001' });
    await request(t.app).patch('/admin/units/kf-047').set(t.auth('admin')).send({ active: true });
    const res = await request(t.app)
      .post('/tickets')
      .set(t.auth('center'))
      .send({ callerName: '李四', callerPhone: '13900002222', summary: '井盖缺失', category: 'help', mainUnitId: 'kf-047' });
    const id = res.body.workOrderId as string;
    const act = (name: string, who: Parameters<typeof t.auth>[0], body: Record<string, unknown>) =>
      request(t.app).post(`/tickets/${id}/${name}`).set(t.auth(who)).send(body);
    const now = (await request(t.app).get('/admin/clock').set(t.auth('admin'))).body.now as string;
    const steps = [
      res.status,
      (await act('sign', { unit: 'kf-047' }, {})).status,
      (await act('contact', { unit: 'kf-047' }, { reached: true, person: '李四' })).status,
      (await act('reply', { unit: 'kf-047' }, { resultType: 'resolved', firstContactAt: now, firstContactPerson: '李四', facts: '井盖被盗', answer: '已补装', answeredAt: now })).status,
      (await act('reply-review', 'center', { accepted: true, reason: '答复规范' })).status,
    ];
    const closed = await act('callback', 'center', { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied' });
    steps.push(closed.status);
    const ok = closed.body.stage === 'closed';
    console.log(`afterwards, create → close: ${steps.join(' ')} → ${ok ? 'closed' : `NOT closed (${closed.body.stage})`}`);
    failed ||= !ok;
  } finally {
    await t.stop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
