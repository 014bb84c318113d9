/**
 * From a work order's state snapshot (read model `work_orders.state`) to the per-unit facts the
 * scoring (domain/scoring.ts) rates: one {@link UnitTicketFacts} per unit the work order was
 * dispatched to (its latest assignment; main and co-units alike, 003 主协办同责).
 */
import type { RatingExclusion, UnitTicketFacts } from '../../domain/scoring';
import type { Clock, UnitAssignment, WorkOrderState } from '../../workflows/messages';

const exclusions: readonly RatingExclusion[] = ['suggestionNotAdopted', 'noPolicyBasisExplainedRepeatedly', 'storedRepeatComplaint'];

/**
 * The unit's clock of that name for its assignment (dispatch number), else its latest. A
 * cancelled clock (withdrawn, re-dispatched) was never due: none.
 */
function clockOf(state: WorkOrderState, name: Clock['name'], assignment: UnitAssignment): Clock | undefined {
  const mine = state.clocks.filter((c) => c.name === name && c.unitId === assignment.unitId);
  const clock = mine.find((c) => c.id.endsWith(`:${assignment.dispatchNo}`)) ?? mine[mine.length - 1];
  return clock?.status === 'cancelled' ? undefined : clock;
}

/** The facts of every unit of one work order. */
export function unitFacts(state: WorkOrderState): UnitTicketFacts[] {
  // Latest assignment per unit: a unit re-dispatched to counts once, with its latest part.
  const latest = new Map<string, UnitAssignment>();
  for (const a of state.units) {
    const seen = latest.get(a.unitId);
    if (!seen || a.dispatchNo >= seen.dispatchNo) latest.set(a.unitId, a);
  }
  // The citizen's verdict at the last callback that reached them. An expert's grade (002 三(五)3)
  // is final and counts in the satisfaction rate in its place (三(六) 其评价为最终评价, 并计入...满意率);
  // an older 'overturned' ruling without a grade took the rating out of the rates, as it did then.
  const callback = [...state.callbacks].reverse().find((c) => c.reached);
  const lastRuling = [...state.expertEvaluations].reverse().find((e) => e.status === 'ruled');
  const ruledAfterCallback = lastRuling && callback && (lastRuling.ruledAt ?? '') >= callback.at ? lastRuling : undefined;
  const overturned = ruledAfterCallback?.grade === undefined && callback?.satisfaction === 'unsatisfied' && ruledAfterCallback?.ruling === 'overturned';
  const satisfaction = ruledAfterCallback?.grade ?? (callback && !overturned ? callback.satisfaction : null);
  // 主协办同责 (003 附件2): co-units share the work order's facts for the rates (timely, first
  // contact, resolution, satisfaction): the current main unit's deadlines and reply.
  const main = state.mainUnitId ? latestOf(state, state.mainUnitId) : [...state.units].reverse().find((u) => u.role === 'main');
  const mainFacts = main ? handlingFacts(state, main) : undefined;
  const acceptedReply = [...state.replies].reverse().find((r) => r.review?.accepted) ?? state.replies[state.replies.length - 1];
  const exclusion = exclusions.find((e) => e === callback?.exclusion) ?? null;

  return [...latest.values()].map((a): UnitTicketFacts => {
    const sign = clockOf(state, 'sign', a);
    const own = handlingFacts(state, a);
    const shared = a.role === 'co' && mainFacts ? mainFacts : own;
    const myEscalations = state.escalations.filter((e) => e.unitId === a.unitId || e.unitId === undefined);
    const myReturns = state.returns.filter((r) => r.unitId === a.unitId);
    // 000 附件2 五.3: after the first 督办 notice, the unit's deadlines that still passed unmet.
    const supervision = myEscalations.find((e) => e.kind !== 'urge');
    const supervisedFrom = supervision ? Date.parse(supervision.dueAt ?? supervision.at) : undefined;
    const missedAfterSupervision =
      supervisedFrom === undefined
        ? []
        : state.clocks
            .filter((c) => c.unitId === a.unitId && c.kind === 'obligation' && c.status === 'missed' && Date.parse(c.deadline) > supervisedFrom)
            .map((c) => c.deadline);
    return {
      workOrderId: state.workOrderId,
      unitId: a.unitId,
      role: a.role,
      category: state.category,
      urgency: state.urgency,
      dispatchedAt: a.dispatchedAt,
      signDeadline: sign?.deadline ?? null,
      signedAt: a.signedAt ?? null,
      // 000 附件2 四.2: a return asked after the window, where the profile allows it with a penalty.
      returnedLate: myReturns.some((r) => r.late === true),
      // 000 附件2 四.6: the center rejected the return as within the unit's duty (or 督办 for it, 003).
      returnedWithinDuty:
        myReturns.some((r) => r.status === 'rejected' && r.withinDuty !== false) ||
        state.escalations.some((e) => e.trigger === 'returnWithinDuty' && e.unitId === a.unitId),
      missedAfterSupervision,
      firstContactDeadline: shared.contact?.deadline ?? null,
      firstContactAt: shared.assignment.contactedAt ?? null,
      completionDeadline: shared.completion?.deadline ?? null,
      repliedAt: shared.repliedAt,
      extended: shared.extended,
      extensionNotNotified: state.extensions.some((e) => e.unitId === a.unitId && e.status === 'approved' && e.citizenNotice === undefined && e.notifyCitizen === true),
      // 000 五.1 / 001 四(四)6: urges of the completion (or re-handling), not of signing.
      urgeCount: myEscalations.filter((e) => e.kind === 'urge' && e.unitId === a.unitId && /^(completion|reHandle):/.test(e.clockId ?? 'completion:')).length,
      supervised: supervision !== undefined,
      rehandleCount: a.role === 'main' ? state.reHandleCount : 0,
      resultType: acceptedReply?.resultType ?? null,
      citizenResultType: callback?.citizenResultType ?? null,
      contactedFirst: callback ? callback.contactedFirst : null,
      resolved: callback ? callback.resolved : null,
      satisfaction,
      exclusion,
      closedAt: state.stage === 'closed' ? (state.closedAt ?? null) : null,
    };
  });
}

/** The latest assignment of a unit. */
function latestOf(state: WorkOrderState, unitId: string): UnitAssignment | undefined {
  return state.units.filter((u) => u.unitId === unitId).reduce<UnitAssignment | undefined>((best, u) => (!best || u.dispatchNo >= best.dispatchNo ? u : best), undefined);
}

/** The handling facts of one assignment: its contact and completion clocks, its last reply. */
function handlingFacts(state: WorkOrderState, a: UnitAssignment) {
  const replies = state.replies.filter((r) => r.unitId === a.unitId);
  return {
    assignment: a,
    contact: clockOf(state, 'firstContact', a),
    completion: clockOf(state, 'completion', a),
    repliedAt: replies.length ? replies[replies.length - 1].at : null,
    extended: state.extensions.some((e) => e.unitId === a.unitId && e.status === 'approved'),
  };
}
