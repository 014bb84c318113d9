/**
 * The work-order activities against a real (embedded) PostgreSQL with every migration applied,
 * and a real HTTP receiver for the webhooks: each write is idempotent under retry.
 */
import http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import type { AddressInfo } from 'node:net';
import { createActivities, notificationRowId } from '../../activities';
import { WebhookReceiver } from '../../activities/webhook';
import { WorkOrderLifecycle } from '../../workflows/lifecycle';
import type { NotificationRequest } from '../../workflows/types';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { input, t, unitUser } from '../workflows/fixtures';

let db: TestPostgres;
let receiver: http.Server;
let receiverUrl: string;
/** Requests the receiver got; `failNext` makes it answer 503 that many times. */
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let failNext = 0;
let failStatus = 503;

beforeAll(async () => {
  db = await startTestPostgres();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(failStatus).end('no');
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await db.pool.query(
    `INSERT INTO units (id, name, kind, webhook_url, webhook_secret) VALUES
       ('unit-a', '市住建局', 'level1', $1, 'secret-a'),
       ('unit-b', '市城管局', 'level1', $1, 'secret-b'),
       ('unit-c', '市水务局', 'level1', NULL, NULL)`,
    [receiverUrl],
  );
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await db?.stop();
});

const fixedNow = new Date('2026-03-10T02:00:00.000Z');
const activities = () => createActivities({ pool: db.pool, now: () => fixedNow, webhookTimeoutMs: 2000 });

describe('recordEvents', () => {
  it('appends the timeline and upserts the work order; a retry inserts nothing twice', async () => {
    const wo = WorkOrderLifecycle.create(input({ id: 'WO-REC-1', intake: { category: 'report' } }), t('2026-03-10', '09:00'));
    const first = wo.drain();
    const acts = activities();
    expect(await acts.recordEvents({ workOrderId: 'WO-REC-1', events: first.events, snapshot: wo.snapshot() })).toEqual({ inserted: 2 });
    expect(await acts.recordEvents({ workOrderId: 'WO-REC-1', events: first.events, snapshot: wo.snapshot() })).toEqual({ inserted: 0 });

    const { rows } = await db.pool.query('SELECT * FROM work_orders WHERE id = $1', ['WO-REC-1']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      stage: 'dispatched',
      category: 'report',
      confidential: true,
      main_unit_id: 'unit-a',
      unit_ids: ['unit-a'],
      caller_phone: '13800000000',
      profile_id: 'jingchuan-004',
      last_seq: 2,
      overdue: false,
    });
    expect(rows[0].sign_deadline.toISOString()).toBe(wo.state.clocks.find((c) => c.id === 'sign:unit-a:1')!.deadline);
    expect(rows[0].next_deadline.toISOString()).toBe(rows[0].sign_deadline.toISOString());
    expect(rows[0].state.workOrderId).toBe('WO-REC-1');

    const events = await db.pool.query('SELECT seq, type, actor_user_id, actor_role, unit_id FROM work_order_events WHERE work_order_id = $1 ORDER BY seq', ['WO-REC-1']);
    expect(events.rows).toEqual([
      { seq: 1, type: 'created', actor_user_id: 'c1', actor_role: 'center', unit_id: null },
      { seq: 2, type: 'dispatched', actor_user_id: 'c1', actor_role: 'center', unit_id: 'unit-a' },
    ]);
  });

  it('an older snapshot retried late never overwrites a newer one', async () => {
    const wo = WorkOrderLifecycle.create(input({ id: 'WO-REC-2' }), t('2026-03-10', '09:00'));
    const older = { events: wo.drain().events, snapshot: structuredClone(wo.snapshot()) };
    wo.apply('sign', { actor: unitUser('unit-a') }, t('2026-03-10', '09:30'));
    const newer = { events: wo.drain().events, snapshot: wo.snapshot() };
    const acts = activities();
    await acts.recordEvents({ workOrderId: 'WO-REC-2', ...older });
    await acts.recordEvents({ workOrderId: 'WO-REC-2', ...newer });
    await acts.recordEvents({ workOrderId: 'WO-REC-2', ...older }); // a retry arriving late
    const { rows } = await db.pool.query('SELECT stage, last_seq, signed_on_time FROM work_orders WHERE id = $1', ['WO-REC-2']);
    expect(rows[0]).toEqual({ stage: 'handling', last_seq: 3, signed_on_time: true });
    const count = await db.pool.query('SELECT count(*)::int AS n FROM work_order_events WHERE work_order_id = $1', ['WO-REC-2']);
    expect(count.rows[0].n).toBe(3);
  });
});

describe('notify', () => {
  const request = (key: string): NotificationRequest => ({
    key,
    workOrderId: 'WO-N-1',
    kind: 'urge',
    at: '2026-03-10T02:30:00.000Z',
    recipients: [
      { audience: 'unit', unitId: 'unit-a' },
      { audience: 'unit', unitId: 'unit-b' },
      { audience: 'unit', unitId: 'unit-c' },
      { audience: 'supervisors' },
    ],
    payload: { workOrderId: 'WO-N-1', clock: 'sign' },
  });

  it('writes one outbox row per recipient and POSTs an HMAC-signed webhook to units that have a URL', async () => {
    received.length = 0;
    const result = await activities().notify(request('WO-N-1:5:urge'));
    expect(result).toEqual({ recipients: 4, delivered: 2 });
    const rows = await db.pool.query('SELECT id, audience, unit_id, kind, webhook_delivered_at FROM notifications WHERE work_order_id = $1 ORDER BY id', ['WO-N-1']);
    expect(rows.rows.map((r) => [r.id, r.audience, r.unit_id, r.webhook_delivered_at !== null])).toEqual([
      ['WO-N-1:5:urge:supervisors', 'supervisors', null, false],
      ['WO-N-1:5:urge:unit:unit-a', 'unit', 'unit-a', true],
      ['WO-N-1:5:urge:unit:unit-b', 'unit', 'unit-b', true],
      ['WO-N-1:5:urge:unit:unit-c', 'unit', 'unit-c', false],
    ]);
    expect(received).toHaveLength(2);
    const toA = received.find((r) => r.headers['webhook-id'] === 'WO-N-1:5:urge:unit:unit-a')!;
    expect(toA.headers['webhook-signature']).toMatch(/^v1,/);
    expect(new WebhookReceiver('secret-a').receive(toA.body, toA.headers as Record<string, string>)).toMatchObject({ kind: 'urge' });
    expect(() => new WebhookReceiver('secret-b').receive(toA.body, toA.headers as Record<string, string>)).toThrow();
    expect(JSON.parse(toA.body)).toMatchObject({ kind: 'urge', workOrderId: 'WO-N-1', unitId: 'unit-a', payload: { clock: 'sign' } });

    // Retried (e.g. after a worker crash): no new rows, nothing sent twice.
    received.length = 0;
    expect(await activities().notify(request('WO-N-1:5:urge'))).toEqual({ recipients: 4, delivered: 0 });
    expect(received).toHaveLength(0);
    const count = await db.pool.query('SELECT count(*)::int AS n FROM notifications WHERE work_order_id = $1', ['WO-N-1']);
    expect(count.rows[0].n).toBe(4);
  });

  it('a failed delivery throws (so the retry policy retries) and the retry sends only what failed', async () => {
    received.length = 0;
    failNext = 1; // the first POST of this call fails
    await expect(activities().notify(request('WO-N-1:6:urge'))).rejects.toThrow(/HTTP 503/);
    expect(received).toHaveLength(1);
    const failed = await db.pool.query(
      `SELECT unit_id, webhook_attempts, webhook_last_error FROM notifications WHERE id LIKE 'WO-N-1:6:urge:unit:%' AND webhook_delivered_at IS NULL AND unit_id <> 'unit-c'`,
    );
    expect(failed.rows).toHaveLength(1);
    expect(failed.rows[0]).toMatchObject({ webhook_attempts: 1, webhook_last_error: expect.stringContaining('503') });

    expect(await activities().notify(request('WO-N-1:6:urge'))).toEqual({ recipients: 4, delivered: 1 });
    expect(received).toHaveLength(2);
    expect(new Set(received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([notificationRowId('WO-N-1:6:urge', { audience: 'unit', unitId: 'unit-a' }), notificationRowId('WO-N-1:6:urge', { audience: 'unit', unitId: 'unit-b' })]),
    );
  });

  it('a refusal (HTTP 4xx) is not retried: non-retryable WEBHOOK_REFUSED', async () => {
    received.length = 0;
    failNext = 2;
    failStatus = 410;
    try {
      const error = await activities().notify(request('WO-N-1:7:urge')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ type: 'WEBHOOK_REFUSED', nonRetryable: true });
    } finally {
      failStatus = 503;
      failNext = 0;
    }
  });
});

describe('supervision records', () => {
  it('open is idempotent; close closes only the open ones of that work order', async () => {
    const acts = activities();
    const open = (id: string, workOrderId = 'WO-S-1') =>
      acts.openSupervision({ id, workOrderId, unitId: 'unit-a', level: 'supervise', trigger: 'missedDeadline', clock: 'sign', reason: 'sign missed', openedAt: '2026-03-10T03:30:00.000Z' });
    await open('WO-S-1:5');
    await open('WO-S-1:5');
    await open('WO-S-1:9');
    await open('WO-S-2:3', 'WO-S-2');
    expect(await acts.closeSupervision({ workOrderId: 'WO-S-1', ids: ['WO-S-1:5'], closedAt: '2026-03-11T01:00:00.000Z', reason: 'signed' })).toEqual({ closed: 1 });
    expect(await acts.closeSupervision({ workOrderId: 'WO-S-1', closedAt: '2026-03-12T01:00:00.000Z', reason: 'work order closed' })).toEqual({ closed: 1 });
    expect(await acts.closeSupervision({ workOrderId: 'WO-S-1', closedAt: '2026-03-13T01:00:00.000Z', reason: 'again' })).toEqual({ closed: 0 });
    const { rows } = await db.pool.query('SELECT id, close_reason FROM supervision_records ORDER BY id');
    expect(rows).toEqual([
      { id: 'WO-S-1:5', close_reason: 'signed' },
      { id: 'WO-S-1:9', close_reason: 'work order closed' },
      { id: 'WO-S-2:3', close_reason: null },
    ]);
  });
});

describe('recordOutbox (one batch, one transaction)', () => {
  /** A work order whose sign deadline passes: an escalation with its supervision record and notifications. */
  function escalatedBatch(id: string, unitId: string) {
    const wo = WorkOrderLifecycle.create(input({ id, intake: { mainUnitId: unitId } }), t('2026-03-10', '09:00'));
    wo.tick(t('2026-03-12', '09:00'));
    const out = wo.drain();
    return { workOrderId: id, ...out, snapshot: wo.snapshot() };
  }
  const counts = async (id: string) => {
    const { rows } = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM work_order_events WHERE work_order_id = $1) AS events,
              (SELECT count(*)::int FROM supervision_records WHERE work_order_id = $1) AS supervision,
              (SELECT count(*)::int FROM notifications WHERE work_order_id = $1) AS notifications,
              (SELECT overdue FROM work_orders WHERE id = $1) AS overdue`,
      [id],
    );
    return rows[0];
  };

  it('records timeline, read model, supervision and notification rows together; a retry writes nothing twice', async () => {
    const batch = escalatedBatch('WO-OB-1', 'unit-c');
    expect(batch.supervisionOpens.length).toBeGreaterThan(0);
    const acts = activities();
    const first = await acts.recordOutbox(batch);
    expect(first).toEqual({ inserted: batch.events.length, webhooks: [] }); // unit-c has no webhook
    const after = await counts('WO-OB-1');
    expect(after).toEqual({
      events: batch.events.length,
      supervision: batch.supervisionOpens.length,
      notifications: batch.notifications.reduce((n, r) => n + r.recipients.length, 0),
      overdue: true,
    });
    expect(await acts.recordOutbox(batch)).toEqual({ inserted: 0, webhooks: [] });
    expect(await counts('WO-OB-1')).toEqual(after);
  });

  it('names the notifications that have webhooks to deliver, and sends none itself', async () => {
    received.length = 0;
    const batch = escalatedBatch('WO-OB-2', 'unit-a');
    const result = await activities().recordOutbox(batch);
    expect(result.webhooks.sort()).toEqual(batch.notifications.filter((n) => n.recipients.some((r) => r.audience === 'unit')).map((n) => n.key).sort());
    expect(received).toHaveLength(0);
    const escalation = batch.notifications.find((n) => n.kind === 'escalation')!;
    expect(await activities().deliverWebhooks(escalation)).toEqual({ recipients: escalation.recipients.length, delivered: 1 });
    expect(await activities().deliverWebhooks(escalation)).toEqual({ recipients: escalation.recipients.length, delivered: 0 });
    expect(received).toHaveLength(1);
  });

  it('closes 督办 records in order as one statement per row did: opened in the batch or before, each by the first close naming it', async () => {
    const batch = escalatedBatch('WO-OB-4', 'unit-c');
    const acts = activities();
    await acts.recordOutbox(batch);
    const [earlier] = batch.supervisionOpens;
    const later = { ...earlier, id: 'WO-OB-4:90', openedAt: '2026-03-12T03:00:00.000Z' };
    const other = { ...earlier, id: 'WO-OB-4:91', openedAt: '2026-03-12T03:00:00.000Z' };
    // One batch: two records opened, then a close naming one of them and the older one, then a
    // close of all open ones (which finds only the record no earlier close named).
    await acts.recordOutbox({
      ...batch,
      events: [],
      notifications: [],
      supervisionOpens: [later, other],
      supervisionCloses: [
        { workOrderId: 'WO-OB-4', ids: [earlier.id, later.id], closedAt: '2026-03-12T04:00:00.000Z', reason: 'signed' },
        { workOrderId: 'WO-OB-4', closedAt: '2026-03-12T05:00:00.000Z', reason: 'work order closed' },
      ],
    });
    const { rows } = await db.pool.query(
      `SELECT id, closed_at, close_reason FROM supervision_records WHERE work_order_id = 'WO-OB-4' ORDER BY id`,
    );
    const signed = { closed_at: new Date('2026-03-12T04:00:00.000Z'), close_reason: 'signed' };
    const closedAll = { closed_at: new Date('2026-03-12T05:00:00.000Z'), close_reason: 'work order closed' };
    expect(rows).toEqual(
      [
        { id: earlier.id, ...signed },
        // The batch's other earlier records were open: the close of all open ones took them.
        ...batch.supervisionOpens.slice(1).map((r) => ({ id: r.id, ...closedAll })),
        { id: 'WO-OB-4:90', ...signed },
        { id: 'WO-OB-4:91', ...closedAll },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });

  it('is one round trip whatever the batch holds (no BEGIN/COMMIT around one statement per row)', async () => {
    const batch = escalatedBatch('WO-OB-5', 'unit-a');
    expect(batch.events.length + batch.notifications.length + batch.supervisionOpens.length).toBeGreaterThan(3);
    const queries: string[] = [];
    const counting = {
      query: (...args: unknown[]) => {
        queries.push(String(args[0]));
        return (db.pool.query as (...a: unknown[]) => unknown)(...args);
      },
    } as unknown as typeof db.pool;
    const result = await createActivities({ pool: counting, now: () => fixedNow }).recordOutbox(batch);
    expect(queries).toHaveLength(1);
    expect(result.inserted).toBe(batch.events.length);
    expect(await counts('WO-OB-5')).toMatchObject({ events: batch.events.length, supervision: batch.supervisionOpens.length });
  });

  it('a failure inside the batch leaves nothing half written', async () => {
    const batch = escalatedBatch('WO-OB-3', 'unit-c');
    // A supervision record that cannot be stored (NOT NULL column) fails the whole transaction.
    const broken = { ...batch, supervisionOpens: [{ ...batch.supervisionOpens[0], reason: null as unknown as string }] };
    await expect(activities().recordOutbox(broken)).rejects.toThrow();
    expect(await counts('WO-OB-3')).toEqual({ events: 0, supervision: 0, notifications: 0, overdue: null });
  });
});
