/** `mask` (api/tickets/view.ts): hides what a reader may not see, copying only the path to it. */
import { mask } from '../../api/tickets/view';

const state = () => ({
  intake: { callerName: '张三', callerPhone: '13800000000', summary: '路灯不亮，回电 13900000000' },
  units: { main: 'kf-047', co: ['kf-001'] },
  timeline: [
    { type: 'created', userId: 'center-1', role: 'center' },
    { type: 'ruled', userId: 'evaluator-1', role: 'evaluator', ruledBy: 'evaluator-1' },
  ],
  clocks: { sign: { deadline: new Date('2026-03-02T01:00:00Z') } },
});

test('a unit that may not see the phone or name: both are gone at every depth, phones in text masked, the input unchanged', () => {
  const input = state();
  const before = JSON.stringify(input);
  const out = mask(input, { phone: false, name: false, evaluator: false });
  expect(out.intake).toEqual({ summary: '路灯不亮，回电 [电话已隐藏]' });
  expect(out.timeline[1]).toEqual({ type: 'ruled', userId: '专业评价员', role: 'evaluator' });
  expect(JSON.stringify(input)).toBe(before);
});

test('copy on write: what hides nothing is the same object, only the path to a hidden field is copied', () => {
  const input = state();
  // A unit assigned to an open work order: phone and name shown, the evaluator hidden.
  const out = mask(input, { phone: true, name: true, evaluator: false });
  expect(out).not.toBe(input);
  expect(out.timeline).not.toBe(input.timeline);
  expect(out.timeline[0]).toBe(input.timeline[0]);
  expect(out.timeline[1]).toEqual({ type: 'ruled', userId: '专业评价员', role: 'evaluator' });
  expect(out.intake).toBe(input.intake);
  expect(out.units).toBe(input.units);
  expect(out.clocks).toBe(input.clocks);
  // Nothing to hide in it: the value itself.
  const plain = { intake: input.intake, units: input.units };
  expect(mask(plain, { phone: true, name: true, evaluator: false })).toBe(plain);
  // The center sees everything: no walk, no copy.
  expect(mask(input, { phone: true, name: true, evaluator: true })).toBe(input);
});

test('keys keep their order around a hidden field', () => {
  const out = mask({ a: 1, callerPhone: '13800000000', b: { c: '13800000000' }, d: [1] }, { phone: false, name: true });
  expect(Object.keys(out)).toEqual(['a', 'b', 'd']);
  expect(out.b).toEqual({ c: '[电话已隐藏]' });
});
