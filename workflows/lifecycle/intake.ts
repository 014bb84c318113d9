/**
 * The center's intake actions: 预先告知 (003), 批办 instruction, dispatch (派单), withdrawal (撤单).
 *
 * Part of the work-order lifecycle (workflows/lifecycle.ts): each function takes the work order's
 * state and rules ({@link LifecycleCore}). Workflow-safe: time is passed in, no I/O.
 */
import { addDuration } from '../../domain/sla';
import type { Acted } from '../../domain/workorder';
import { LifecycleCore, iso, ms, describe, centerRoles, centerOrSupervisor, refuse } from './core';

// Each do_<action> checks first (refuse → throws) and returns before changing anything
// unless `commit`.

export function preBrief(wo: LifecycleCore, a: Acted<{ reached: boolean; note?: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, centerRoles);
  wo.requireStage(['preBriefing']);
  const p = wo.profile.preBriefing;
  const last = wo.state.preBriefAttempts.at(-1);
  if (last && !last.reached && now < addDuration(wo.cal, ms(last.at), p.minGap).getTime()) {
    refuse('PRE_BRIEF_ATTEMPT_TOO_SOON', `the next attempt may be made from ${wo.shown(addDuration(wo.cal, ms(last.at), p.minGap).getTime())} (003: at least ${describe(p.minGap)} apart)`);
  }
  if (!commit) return;
  wo.state.preBriefAttempts.push({ at: iso(now), reached: a.reached, note: a.note, by: a.actor.userId });
  wo.event(now, 'preBriefAttempt', a.actor, { reached: a.reached, note: a.note, attempt: wo.state.preBriefAttempts.length });
  // The obligation is to phone within the window: the first attempt meets it.
  wo.done(wo.undone('preBrief'), now);
  const failed = wo.state.preBriefAttempts.filter((x) => !x.reached).length;
  if (a.reached || failed >= p.attempts) {
    wo.state.preBriefDone = true;
    wo.event(now, 'preBriefDone', a.actor, {
      reached: a.reached,
      attempts: wo.state.preBriefAttempts.map((x) => x.at),
    });
    wo.advance(now, a.actor);
  }
}

export function instruction(wo: LifecycleCore, a: Acted<{ instruction: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, centerOrSupervisor);
  wo.requireStage(['awaitingInstruction']);
  if (!commit) return;
  wo.state.instruction = a.instruction;
  wo.event(now, 'instructed', a.actor, { instruction: a.instruction });
  wo.advance(now, a.actor);
}

export function dispatch(wo: LifecycleCore, a: Acted<{ mainUnitId: string; coUnitIds: string[]; instruction?: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, centerRoles);
  wo.requireStage(['awaitingDispatch']);
  if (a.coUnitIds.includes(a.mainUnitId)) refuse('INVALID_INPUT', 'coUnitIds: must not contain the main unit');
  if (!commit) return;
  wo.dispatchTo(now, a.actor, a.mainUnitId, a.coUnitIds, a.instruction);
}

export function withdraw(wo: LifecycleCore, a: Acted<{ reason: string }>, now: number, commit: boolean): void {
  wo.requireRole(a.actor, centerRoles);
  if (!commit) return;
  wo.event(now, 'withdrawRequested', a.actor, { reason: a.reason });
  wo.finish(now, 'withdrawn', a.reason, a.actor); // 撤单 (004)
}
