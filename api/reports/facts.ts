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
  // The citizen's verdict at the last callback that reached them; an expert's 'overturned' ruling
  // (002: final) takes the unsatisfied rating out of the rates.
  const callback = [...state.callbacks].reverse().find((c) => c.reached);
  const lastRuling = [...state.expertEvaluations].reverse().find((e) => e.status === 'ruled');
  const overturned = callback?.satisfaction === 'unsatisfied' && lastRuling?.ruling === 'overturned';
  const acceptedReply = [...state.replies].reverse().find((r) => r.review?.accepted) ?? state.replies[state.replies.length - 1];
  const exclusion = exclusions.find((e) => e === callback?.exclusion) ?? null;

  return [...latest.values()].map((a): UnitTicketFacts => {
    const sign = clockOf(state, 'sign', a);
    const contact = clockOf(state, 'firstContact', a);
    const completion = clockOf(state, 'completion', a);
    const myReplies = state.replies.filter((r) => r.unitId === a.unitId);
    const myEscalations = state.escalations.filter((e) => e.unitId === a.unitId || e.unitId === undefined);
    return {
      workOrderId: state.workOrderId,
      unitId: a.unitId,
      role: a.role,
      category: state.category,
      urgency: state.urgency,
      dispatchedAt: a.dispatchedAt,
      signDeadline: sign?.deadline ?? null,
      signedAt: a.signedAt ?? null,
      // The workflow refuses returns after the window (RETURN_WINDOW_CLOSED): none are late.
      returnedLate: false,
      returnedWithinDuty: state.escalations.some((e) => e.trigger === 'returnWithinDuty' && e.unitId === a.unitId),
      firstContactDeadline: contact?.deadline ?? null,
      firstContactAt: a.contactedAt ?? null,
      completionDeadline: completion?.deadline ?? null,
      repliedAt: myReplies.length ? myReplies[myReplies.length - 1].at : null,
      extended: state.extensions.some((e) => e.unitId === a.unitId && e.status === 'approved'),
      urgeCount: myEscalations.filter((e) => e.kind === 'urge' && e.unitId === a.unitId).length,
      supervised: myEscalations.some((e) => e.kind !== 'urge'),
      rehandleCount: a.role === 'main' ? state.reHandleCount : 0,
      resultType: acceptedReply?.resultType ?? null,
      contactedFirst: callback ? callback.contactedFirst : null,
      resolved: callback ? callback.resolved : null,
      satisfaction: callback && !overturned ? callback.satisfaction : null,
      exclusion,
      closedAt: state.stage === 'closed' ? (state.closedAt ?? null) : null,
    };
  });
}
