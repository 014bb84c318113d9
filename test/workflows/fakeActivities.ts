/**
 * In-memory activities of the same shape as `createActivities` (activities/index.ts), with the
 * same idempotency keys, so workflow tests can see what would have been persisted.
 */
import type { WorkOrderActivities } from '../../activities';
import type { NotificationRequest, SupervisionOpen, WorkOrderEvent, WorkOrderSnapshot } from '../../workflows/types';

export interface FakeStore {
  events: Map<string, Map<number, WorkOrderEvent>>;
  snapshots: Map<string, WorkOrderSnapshot>;
  notifications: Map<string, NotificationRequest>;
  supervision: Map<string, SupervisionOpen & { closedAt?: string; closeReason?: string }>;
  /** Calls per activity, retries included. */
  calls: Record<keyof WorkOrderActivities, number>;
  /** Work orders whose notifications fail (a unit's webhook that is down), with the attempts made. */
  failNotifications: Map<string, number>;
}

export function createFakeActivities(): { activities: WorkOrderActivities; store: FakeStore } {
  const store: FakeStore = {
    events: new Map(),
    snapshots: new Map(),
    notifications: new Map(),
    supervision: new Map(),
    calls: { recordEvents: 0, notify: 0, openSupervision: 0, closeSupervision: 0 },
    failNotifications: new Map(),
  };
  const activities: WorkOrderActivities = {
    async recordEvents({ workOrderId, events, snapshot }) {
      store.calls.recordEvents++;
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
      if (!store.supervision.has(record.id)) store.supervision.set(record.id, { ...record });
    },
    async closeSupervision(input) {
      store.calls.closeSupervision++;
      let closed = 0;
      for (const r of store.supervision.values()) {
        if (r.workOrderId !== input.workOrderId || r.closedAt) continue;
        if (input.ids && !input.ids.includes(r.id)) continue;
        r.closedAt = input.closedAt;
        r.closeReason = input.reason;
        closed++;
      }
      return { closed };
    },
  };
  return { activities, store };
}

/** The recorded timeline of a work order, in seq order. */
export function timeline(store: FakeStore, workOrderId: string): WorkOrderEvent[] {
  return [...(store.events.get(workOrderId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
}
