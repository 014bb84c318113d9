/**
 * The rules that read an SLA profile: which window applies to a work order. Workflow-safe and
 * zod-free (types only from profile.ts): the workflow imports these, never profile.ts itself,
 * whose schemas and shipped profiles would be rebuilt for every workflow (issue 9).
 */
import type { AnchoredWindow, SlaProfile } from './profile';
import { workingDays, type SlaDuration } from './sla';
import type { Category, Classification, Urgency } from './workorder';

/** Optional facts of a work order that change its completion window. */
export interface CompletionContext {
  /** 批办 (leadership-assigned) tickets use `completion.leadershipAssigned` when set. */
  classification?: Classification;
  /** A statutory limit in working days wins over the profile (004 第十一条(一)3). */
  statutoryWorkingDays?: number;
}

/**
 * The completion window (办结时限) of a work order, from receipt. Precedence: a statutory limit,
 * then leadership assignment, then urgent-by-category, then by-category, then the standard.
 *
 * @example completionWindow(shippedProfiles['jingchuan-004'], 'consultation', 'normal') // 2 working days
 */
export function completionWindow(
  profile: SlaProfile,
  category: Category,
  urgency: Urgency,
  context: CompletionContext = {},
): SlaDuration {
  if (context.statutoryWorkingDays !== undefined) return workingDays(context.statutoryWorkingDays);
  const c = profile.completion;
  if (context.classification === 'leadership' && c.leadershipAssigned) return c.leadershipAssigned;
  if (urgency === 'urgent' && c.urgentByCategory[category]) return c.urgentByCategory[category]!;
  return c.byCategory[category] ?? c.standard;
}

/** The sign window (签收时限) from receipt. */
export function signWindow(profile: SlaProfile, urgency: Urgency): SlaDuration {
  return urgency === 'urgent' ? profile.sign.urgent : profile.sign.normal;
}

/** The return window (退单时限) and where it runs from. */
export function returnWindow(profile: SlaProfile, urgency: Urgency): AnchoredWindow {
  return urgency === 'urgent' ? profile.return.urgent : profile.return.normal;
}

/**
 * The longest extension a unit may ask for, given the window it extends: the profile's
 * range maximum, or `factor` × the original window (same unit).
 */
export function maxExtension(profile: SlaProfile, original: SlaDuration): SlaDuration {
  const m = profile.extension.maxLength;
  if (m.kind === 'range') return m.max;
  const amount = original.amount * m.factor;
  return { amount: original.unit === 'workingDays' ? Math.floor(amount) : amount, unit: original.unit };
}
