/**
 * The read-model row of a work order's state (db/migrations/0002_read_model.sql).
 *
 * Part of the work-order lifecycle (workflows/lifecycle.ts): each function takes the work order's
 * state and rules ({@link LifecycleCore}). Workflow-safe: time is passed in, no I/O.
 */
import type { Clock, WorkOrderSnapshot } from '../types';
import { LifecycleCore, iso, ms, open } from './core';

// ---- Read model ------------------------------------------------------------------------

/** The read-model row of the current state (db/migrations/0002_read_model.sql). */
export function snapshot(wo: LifecycleCore): WorkOrderSnapshot {
  const s = wo.state;
  const obligations = s.clocks.filter((c) => c.kind === 'obligation');
  const pending = obligations.filter(open).map((c) => ms(c.deadline));
  const main = s.mainUnitId ? wo.activeUnit(s.mainUnitId) : undefined;
  const sign = main ? wo.unitClock('sign', main) : undefined;
  const contact = main ? wo.unitClock('firstContact', main) : undefined;
  const completion = main ? s.clocks.filter((c) => c.name === 'completion' && c.unitId === main.unitId && c.status !== 'cancelled').at(-1) : undefined;
  const handling = wo.handlingClock(true);
  const onTime = (c: Clock | undefined) => (c?.status === 'met' ? true : c?.status === 'missed' ? false : undefined);
  const lastReply = s.replies.at(-1);
  const lastCallback = [...s.callbacks].reverse().find((c) => c.reached);
  return {
    state: s,
    nextDeadline: pending.length ? iso(Math.min(...pending)) : undefined,
    signDeadline: sign?.deadline,
    completionDeadline: handling?.deadline ?? completion?.deadline,
    // A closed work order is no longer overdue, whatever it missed on the way.
    overdue: !wo.finished && obligations.some((c) => c.status === 'missed' && !c.doneAt),
    signedOnTime: onTime(sign),
    firstContactOnTime: onTime(contact),
    completedOnTime: onTime(completion),
    extended: s.extensions.some((x) => x.status === 'approved'),
    resultType: lastReply?.resultType,
    satisfaction: lastCallback?.satisfaction,
    resolved: lastCallback?.resolved,
    satisfactionExclusion: lastCallback?.exclusion,
  };
}
