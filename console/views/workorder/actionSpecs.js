/**
 * The actions open to a user at a work order's stage, each described as form fields (the API's
 * bodies in domain/workorder.ts). The workflow has the last word: a refusal comes back as 409
 * and is shown in Chinese.
 */
const text = (name, label, required = true) => ({ name, kind: 'textarea', label, required });
const bool = (name, label, value = true) => ({ name, kind: 'bool', label, value });
const select = (name, label, group, value) => ({ name, kind: 'select', label, group, value, required: true });

export const actionFields = {
  'pre-brief': [bool('reached', 'form.reached'), text('note', 'form.note', false)],
  instruction: [text('instruction', 'fields.instruction')],
  dispatch: [{ name: 'mainUnitId', kind: 'unit', label: 'fields.mainUnit', required: true }, { name: 'coUnitIds', kind: 'units', label: 'fields.coUnits', value: [] }, text('instruction', 'fields.instruction', false)],
  'return-review': [bool('approved', 'form.approved'), { name: 'nextMainUnitId', kind: 'unit', label: 'form.nextMainUnit' }, { name: 'nextCoUnitIds', kind: 'units', label: 'form.nextCoUnits', value: [] }, text('reason', 'form.reason')],
  'extension-review': [bool('approved', 'form.approved'), text('reason', 'form.reason')],
  'reply-review': [bool('accepted', 'form.accepted'), text('reason', 'form.reason')],
  callback: [
    bool('reached', 'form.reached'), bool('contactedFirst', 'form.contactedFirst'), bool('answered', 'form.answered'), bool('resolved', 'form.resolved'),
    select('satisfaction', 'form.satisfaction', 'satisfactions', 'satisfied'),
    { name: 'exclusion', kind: 'select', label: 'form.exclusion', group: 'exclusions' },
    bool('requestExpertEvaluation', 'form.requestExpert', false), text('note', 'form.note', false),
  ],
  'expert-ruling': [{ name: 'ruling', kind: 'select', label: 'form.ruling', options: [{ value: 'upheld', label: 'form.upheld' }, { value: 'overturned', label: 'form.overturned' }], value: 'upheld', required: true }, text('reason', 'form.reason')],
  withdraw: [text('reason', 'form.reason')],
  supervise: [select('method', 'supervisor.supervise.method', 'superviseMethods', 'written'), select('trigger', 'supervisor.supervise.trigger', 'superviseTriggers', 'manual'), text('reason', 'form.reason')],
  sign: [text('note', 'form.note', false)],
  contact: [bool('reached', 'form.reached'), select('method', 'form.method', 'contactMethods', 'phone'), { name: 'person', kind: 'text', label: 'form.person', required: true }, text('note', 'form.note', false)],
  return: [text('reason', 'form.reason')],
  extension: [{ name: 'workingDays', kind: 'number', label: 'form.workingDays', required: true, value: 3, min: 1, max: 60 }, text('reason', 'form.reason')],
  reply: [
    select('resultType', 'form.resultType', 'resultTypes', 'resolved'),
    { name: 'firstContactAt', kind: 'datetime', label: 'form.firstContactAt', required: true },
    { name: 'firstContactPerson', kind: 'text', label: 'form.firstContactPerson', required: true },
    text('facts', 'form.facts'), text('answer', 'form.answer'),
    { name: 'answeredAt', kind: 'datetime', label: 'form.answeredAt', required: true },
  ],
};

const open = (state) => state.stage !== 'closed' && state.stage !== 'withdrawn';

/** The actions to offer `user` on `state`, in the order they usually come. */
export function actionsFor(user, state) {
  if (!open(state)) return [];
  const s = state.stage;
  if (user.role === 'unit') {
    const mine = (state.units || []).filter((a) => a.unitId === user.unitId && a.status === 'active');
    if (!mine.length) return [];
    const main = mine.some((a) => a.role === 'main');
    const signed = mine.some((a) => a.signedAt);
    const out = [];
    if (!signed && (s === 'dispatched' || s === 'handling')) out.push('sign');
    if (signed && s === 'handling') out.push('contact');
    if (s === 'dispatched' || s === 'handling') out.push('return');
    if (main && signed && s === 'handling') out.push('extension', 'reply');
    return out;
  }
  if (user.role === 'center' || user.role === 'admin') {
    const out = [];
    if (s === 'preBriefing') out.push('pre-brief');
    if (s === 'awaitingInstruction') out.push('instruction');
    if (s === 'awaitingDispatch') out.push('dispatch');
    if (s === 'returnRequested' || (state.returns || []).some((r) => r.status === 'pending')) out.push('return-review');
    if ((state.extensions || []).some((e) => e.status === 'pending')) out.push('extension-review');
    if (s === 'replied') out.push('reply-review');
    if (s === 'callback') out.push('callback');
    if (s === 'expertEvaluation') out.push('expert-ruling');
    out.push('supervise', 'withdraw');
    return out;
  }
  if (user.role === 'supervisor') return ['supervise'];
  return [];
}
