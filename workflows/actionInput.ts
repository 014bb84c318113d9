/**
 * The shape check of an action's arguments inside the workflow, without zod.
 *
 * The API parses every body with its zod schema (domain/workorder.ts, api/tickets/actions.ts)
 * before the update is sent, so the workflow receives plain, already validated data. Building
 * those schemas in the workflow cost most of a workflow's start (the bundle's module code runs
 * again for every workflow a worker loads; issue 9), so the workflow keeps only this defence:
 * the actor is well formed, every required field is present with the right JSON type, and the
 * defaults the schemas would add are added (a caller that bypasses the API gets the same
 * meaning). Values (enums, lengths, text rules) are the API's to check.
 */
import type { Actor } from '../domain/workorder';

type Kind = 'string' | 'boolean' | 'number' | 'positiveInteger' | 'stringArray' | 'array';
/** A field: its JSON kind; `optional`; or a default used when it is absent. */
type Field = { kind: Kind; optional?: true; default?: unknown };

const req = (kind: Kind): Field => ({ kind });
const opt = (kind: Kind): Field => ({ kind, optional: true });
const def = (kind: Kind, value: unknown): Field => ({ kind, default: value });

/** Each action's fields (mirrors the zod schemas in domain/workorder.ts; test/workflows/actionInput.test.ts keeps them in step). */
export const actionFields = {
  preBrief: { reached: req('boolean'), note: opt('string') },
  instruction: { instruction: req('string') },
  dispatch: { mainUnitId: req('string'), coUnitIds: def('stringArray', []), instruction: opt('string') },
  returnReview: { approved: req('boolean'), nextMainUnitId: opt('string'), nextCoUnitIds: opt('stringArray'), reason: req('string'), withinDuty: opt('boolean') },
  extensionReview: { approved: req('boolean'), reason: req('string') },
  replyReview: { accepted: req('boolean'), reason: req('string') },
  callback: {
    reached: def('boolean', true),
    contactedFirst: req('boolean'),
    answered: req('boolean'),
    resolved: req('boolean'),
    satisfaction: req('string'),
    citizenResultType: opt('string'),
    exclusion: opt('string'),
    requestExpertEvaluation: def('boolean', false),
    note: opt('string'),
  },
  expertRuling: { grade: opt('string'), ruling: opt('string'), reason: req('string') },
  withdraw: { reason: req('string') },
  supervise: { reason: req('string'), trigger: def('string', 'manual'), method: opt('string'), level: opt('string'), repeatCount: opt('positiveInteger') },
  sign: { note: opt('string') },
  returnRequest: { reason: req('string'), suggestedUnitId: opt('string'), approvedBy: opt('string') },
  contact: { reached: req('boolean'), method: def('string', 'phone'), person: req('string'), note: opt('string') },
  extensionRequest: { workingDays: req('positiveInteger'), reason: req('string'), citizenNotice: opt('string') },
  reply: {
    resultType: req('string'),
    firstContactAt: req('string'),
    firstContactPerson: req('string'),
    facts: req('string'),
    answer: req('string'),
    answeredAt: req('string'),
    attachments: def('array', []),
    siteCheck: opt('string'),
    demandFinding: opt('string'),
    responder: opt('string'),
    factFinding: opt('string'),
    untrueExplanation: opt('string'),
  },
} as const satisfies Record<string, Record<string, Field>>;

/** The actions, by their update names (workflows/messages.ts). */
export type ActionName = keyof typeof actionFields;
export const actionNames = Object.keys(actionFields) as ActionName[];

const roles: readonly Actor['role'][] = ['center', 'unit', 'supervisor', 'admin', 'evaluator', 'system'];

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'positiveInteger':
      return typeof value === 'number' && Number.isInteger(value) && value > 0;
    case 'stringArray':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'array':
      return Array.isArray(value);
  }
}

/**
 * Reads an action's arguments: `{ ok: true, args }` with the defaults added, or the first
 * problem as `path: message` (the workflow refuses with `INVALID_INPUT`).
 */
export function readAction(action: ActionName, raw: unknown): { ok: true; args: Record<string, unknown> & { actor: Actor } } | { ok: false; problem: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, problem: `${action}: an object is required` };
  const body = raw as Record<string, unknown>;
  const actor = body.actor as Partial<Actor> | undefined;
  if (!actor || typeof actor !== 'object') return { ok: false, problem: 'actor: required' };
  if (typeof actor.userId !== 'string' || !actor.userId) return { ok: false, problem: 'actor.userId: required' };
  if (!roles.includes(actor.role as Actor['role'])) return { ok: false, problem: `actor.role: one of ${roles.join(', ')}` };
  if (actor.unitId !== undefined && typeof actor.unitId !== 'string') return { ok: false, problem: 'actor.unitId: a string' };
  const args: Record<string, unknown> = { ...body };
  for (const [name, field] of Object.entries(actionFields[action]) as [string, Field][]) {
    const value = args[name];
    if (value === undefined) {
      if (field.default !== undefined) args[name] = freshDefault(field.default);
      else if (!field.optional) return { ok: false, problem: `${name}: required` };
      continue;
    }
    if (!hasKind(value, field.kind)) return { ok: false, problem: `${name}: expected ${field.kind}` };
  }
  return { ok: true, args: args as Record<string, unknown> & { actor: Actor } };
}

/** A fresh copy of a default (arrays must not be shared between work orders). */
function freshDefault(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value;
}
