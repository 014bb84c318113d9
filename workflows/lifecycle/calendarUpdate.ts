/**
 * A year's official holiday schedule arriving: provisional deadlines depending on it are counted again (issue 10).
 *
 * Part of the work-order lifecycle (workflows/lifecycle.ts): each function takes the work order's
 * state and rules ({@link LifecycleCore}). Workflow-safe: time is passed in, no I/O.
 */
import { WorkingCalendar, withOfficialYear } from '../../domain/calendar';
import { addDuration } from '../../domain/sla';
import type { CalendarUpdate, Clock, DeadlineChange } from '../types';
import { LifecycleCore, iso, ms, open, refuse } from './core';

// ---- The calendar ----------------------------------------------------------------------

/** Checks a calendar update without applying it (the update validator). */
export function checkCalendar(wo: LifecycleCore, u: CalendarUpdate): void {
  if (wo.finished) refuse('WORK_ORDER_CLOSED', `work order ${wo.state.workOrderId} is ${wo.state.stage}`);
  const dates = (x: unknown) => Array.isArray(x) && x.every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d));
  if (!u || !Number.isInteger(u.year) || !dates(u.holidays) || !dates(u.makeUpWorkdays) || !u.actor?.userId) {
    refuse('INVALID_INPUT', 'calendarUpdate: year, holidays, makeUpWorkdays (YYYY-MM-DD) and actor are required');
  }
}

/**
 * A year's official schedule arrived: every pending deadline that was provisional because of
 * that year and is still in the future is counted again from its start on the new calendar
 * (with its approved extensions); deadlines already passed, and those that never depended on
 * the year, stay as they were. Later deadlines use the new calendar too. The timeline records
 * who imported what and each old and new deadline; units whose deadline moved are told.
 */
export function applyCalendar(wo: LifecycleCore, u: CalendarUpdate, now: number): DeadlineChange[] {
  const before = wo.cal;
  wo.cal = new WorkingCalendar(withOfficialYear(before.data, u.year, u.holidays, u.makeUpWorkdays));
  const changes: DeadlineChange[] = [];
  let depended = 0;
  for (const c of wo.state.clocks) {
    if (!open(c) || !c.provisional || ms(c.deadline) <= now) continue;
    if (!before.provisionalYearsBetween(ms(c.start), ms(c.deadline)).includes(u.year)) continue;
    depended++;
    const { original, deadline } = recount(wo, c);
    const old = c.deadline;
    c.originalDeadline = iso(original);
    c.deadline = iso(deadline);
    wo.markProvisional(c);
    const provisional = c.provisional === true;
    if (deadline === ms(old)) continue;
    if (c.kind === 'obligation') {
      c.urgeAt = [...c.urged, ...wo.urgePoints(c.name, ms(c.start), deadline, now).filter((p) => !c.urged.includes(p))];
    }
    changes.push({ clockId: c.id, name: c.name, unitId: c.unitId, before: old, after: c.deadline, provisional });
  }
  // Nothing depended on the year: no trace (a repeated or unrelated update changes nothing).
  if (!depended) return changes;
  const seq = wo.event(now, 'calendarUpdated', u.actor, { year: u.year, source: u.source, importId: u.importId, changes });
  for (const unitId of new Set(changes.map((c) => c.unitId).filter((x): x is string => !!x))) {
    const mine = changes.filter((c) => c.unitId === unitId);
    wo.notify(seq, now, 'deadlineChanged', [{ audience: 'unit', unitId }], { year: u.year, changes: mine });
  }
  return changes;
}

/** A clock's deadline counted again on the current calendar: from its start, then its extensions. */
function recount(wo: LifecycleCore, c: Clock): { original: number; deadline: number } {
  const original = addDuration(wo.cal, ms(c.start), wo.clockLength(c)).getTime();
  let deadline = original;
  for (const m of c.length.matchAll(/extended (\d+) workingDays/g)) deadline = wo.cal.addWorkingDays(deadline, Number(m[1])).getTime();
  return { original, deadline };
}
