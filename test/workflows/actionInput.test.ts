/**
 * The workflow's zod-free argument check (workflows/actionInput.ts) stays in step with the API's
 * zod schemas (api/tickets/actions.ts): same required fields, same defaults.
 */
import { workOrderActions } from '../../api/tickets/actions';
import { actionFields, actionNames, readAction, type ActionName } from '../../workflows/actionInput';

const actor = { userId: 'u1', role: 'unit' as const, unitId: 'kf-001' };
const iso = '2026-03-02T10:00:00+08:00';
/** A minimal valid body of each action (required fields only). */
const minimal: Record<ActionName, Record<string, unknown>> = {
  preBrief: { reached: true },
  instruction: { instruction: '请尽快办理' },
  dispatch: { mainUnitId: 'kf-001' },
  returnReview: { approved: false, reason: '属于本单位职责' },
  extensionReview: { approved: true, reason: '同意' },
  replyReview: { accepted: true, reason: '答复规范' },
  callback: { contactedFirst: true, answered: true, resolved: true, satisfaction: 'satisfied' },
  expertRuling: { grade: 'satisfied', reason: '理由' },
  withdraw: { reason: '市民撤诉' },
  supervise: { reason: '超期' },
  sign: {},
  returnRequest: { reason: '不属于本单位' },
  contact: { reached: true, person: '王五' },
  extensionRequest: { workingDays: 3, reason: '需协调' },
  reply: { resultType: 'resolved', firstContactAt: iso, firstContactPerson: '王五', facts: '事实', answer: '答复', answeredAt: iso },
};

const schemaOf = (name: ActionName) => Object.values(workOrderActions).find((a) => a.update.name === name)!.schema;

test('every update of the API table has a field list in the workflow', () => {
  expect(Object.values(workOrderActions).map((a) => a.update.name).sort()).toEqual([...actionNames].sort());
});

test.each(actionNames)('%s: the workflow adds the same defaults as the API schema', (name) => {
  const read = readAction(name, { ...minimal[name], actor });
  expect(read).toEqual({ ok: true, args: { ...(schemaOf(name).parse(minimal[name]) as object), actor } });
});

test.each(actionNames)('%s: a missing required field is refused by both', (name) => {
  for (const field of Object.keys(minimal[name])) {
    const body = { ...minimal[name] };
    delete body[field];
    const defaulted = (actionFields[name] as Record<string, { default?: unknown }>)[field]?.default !== undefined;
    expect([field, schemaOf(name).safeParse(body).success]).toEqual([field, defaulted]);
    // grade-or-ruling (002 三(五)3; `ruling` is the older form) is one rule across two optional
    // fields: the lifecycle refuses neither (test/workflows/rules.test.ts), readAction lets it through.
    const lifecycleRule = name === 'expertRuling' && field === 'grade';
    expect([field, readAction(name, { ...body, actor }).ok]).toEqual([field, defaulted || lifecycleRule]);
  }
});

test('a wrong JSON type or a malformed actor is refused, naming the field', () => {
  expect(readAction('extensionRequest', { actor, workingDays: -1, reason: 'x' })).toEqual({ ok: false, problem: 'workingDays: expected positiveInteger' });
  expect(readAction('sign', { note: 'no actor' })).toEqual({ ok: false, problem: 'actor: required' });
  expect(readAction('sign', { actor: { userId: 'u1', role: 'mayor' } })).toMatchObject({ ok: false });
  expect(readAction('dispatch', { actor, mainUnitId: 'kf-001', coUnitIds: [1] })).toEqual({ ok: false, problem: 'coUnitIds: expected stringArray' });
});
