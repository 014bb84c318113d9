/**
 * In-memory activities of the same shape as `createActivities` (activities/index.ts), with the
 * same idempotency keys, so workflow tests can see what would have been persisted.
 */
import type { RecordEventsInput, WorkOrderActivities } from '../../activities';
import type { NotificationRequest, SupervisionClose, SupervisionOpen, WorkOrderEvent, WorkOrderSnapshot } from '../../workflows/types';

export interface FakeStore {
  events: Map<string, Map<number, WorkOrderEvent>>;
  snapshots: Map<string, WorkOrderSnapshot>;
  notifications: Map<string, NotificationRequest>;
  supervision: Map<string, SupervisionOpen & { closedAt?: string; closeReason?: string }>;
  /** Calls per activity, retries included. */
  calls: Record<keyof WorkOrderActivities, number>;
  /** Work orders whose notifications fail (a unit's webhook that is down), with the attempts made. */
  failNotifications: Map<string, number>;
  /** Work orders whose next `recordOutbox` calls fail (the database down), with how many remain. */
  failRecords: Map<string, number>;
}

export function createFakeActivities(): { activities: WorkOrderActivities; store: FakeStore } {
  const store: FakeStore = {
    events: new Map(),
    snapshots: new Map(),
    notifications: new Map(),
    supervision: new Map(),
    calls: { recordEvents: 0, recordOutbox: 0, notify: 0, deliverWebhooks: 0, openSupervision: 0, closeSupervision: 0 },
    failNotifications: new Map(),
    failRecords: new Map(),
  };
  const activities: WorkOrderActivities = {
    async recordOutbox(batch) {
      store.calls.recordOutbox++;
      const failing = store.failRecords.get(batch.workOrderId) ?? 0;
      if (failing > 0) {
        store.failRecords.set(batch.workOrderId, failing - 1);
        throw new Error('connection to PostgreSQL refused');
      }
      const { inserted } = await record(batch);
      for (const n of batch.notifications) if (!store.notifications.has(n.key)) store.notifications.set(n.key, n);
      for (const s of batch.supervisionOpens) openSupervision(s);
      for (const c of batch.supervisionCloses) closeSupervision(c);
      // As if every unit had a webhook: each notification to a unit goes on to deliverWebhooks.
      const webhooks = batch.notifications.filter((n) => n.recipients.some((r) => r.audience === 'unit')).map((n) => n.key);
      return { inserted, webhooks };
    },
    async deliverWebhooks(request) {
      store.calls.deliverWebhooks++;
      const failures = store.failNotifications.get(request.workOrderId);
      if (failures !== undefined) {
        store.failNotifications.set(request.workOrderId, failures + 1);
        throw new Error('webhook answered HTTP 503');
      }
      return { recipients: request.recipients.length, delivered: request.recipients.length };
    },
    async recordEvents(input) {
      store.calls.recordEvents++;
      return record(input);
    },
    async notify(request) {
      store.calls.notify++;
      const failures = store.failNotifications.get(request.workOrderId);
      if (failures !== undefined) {
        store.failNotifications.set(request.workOrderId, failures + 1);
        throw new Error('webhook answered HTTP 503');
      }
      if (!store.notifications.has(request.key)) store.notifications.set(request.key, request);
      return { recipients: request.recipients.length, delivered: 0 };
    },
    async openSupervision(record) {
      store.calls.openSupervision++;
      openSupervision(record);
    },
    async closeSupervision(input) {
      store.calls.closeSupervision++;
      return closeSupervision(input);
    },
  };
  return { activities, store };

  async function record({ workOrderId, events, snapshot }: RecordEventsInput): Promise<{ inserted: number }> {
      const log = store.events.get(workOrderId) ?? new Map<number, WorkOrderEvent>();
      store.events.set(workOrderId, log);
      let inserted = 0;
      for (const e of events) {
        if (!log.has(e.seq)) inserted++;
        if (!log.has(e.seq)) log.set(e.seq, e);
      }
      const prior = store.snapshots.get(workOrderId);
      if (!prior || prior.state.seq <= snapshot.state.seq) store.snapshots.set(workOrderId, snapshot);
      return { inserted };
  }

  function openSupervision(record: SupervisionOpen): void {
    if (!store.supervision.has(record.id)) store.supervision.set(record.id, { ...record });
  }

  function closeSupervision(input: SupervisionClose): { closed: number } {
    let closed = 0;
    for (const r of store.supervision.values()) {
      if (r.workOrderId !== input.workOrderId || r.closedAt) continue;
      if (input.ids && !input.ids.includes(r.id)) continue;
      r.closedAt = input.closedAt;
      r.closeReason = input.reason;
      closed++;
    }
    return { closed };
  }
}

/** The recorded timeline of a work order, in seq order. */
export function timeline(store: FakeStore, workOrderId: string): WorkOrderEvent[] {
  return [...(store.events.get(workOrderId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
}
