import fc from 'fast-check';
import { BinaryHeap } from '../../engine/binaryHeap';

describe('BinaryHeap (the timer queue and the warm backlog)', () => {
  it('pops in `before` order whatever the pushes, pops and retains in between', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant('pop' as const), fc.constant('retainEven' as const)), { maxLength: 200 }), (steps) => {
        const heap = new BinaryHeap<number>((a, b) => a < b);
        const model: number[] = [];
        for (const step of steps) {
          if (step === 'pop') {
            model.sort((a, b) => a - b);
            expect(heap.pop()).toBe(model.shift());
          } else if (step === 'retainEven') {
            heap.retain((n) => n % 2 === 0);
            model.splice(0, model.length, ...model.filter((n) => n % 2 === 0));
          } else {
            heap.push(step);
            model.push(step);
          }
          expect(heap.length).toBe(model.length);
          expect(heap.peek()).toBe(model.length ? Math.min(...model) : undefined);
        }
      }),
    );
  });

  it('is empty after clear', () => {
    const heap = new BinaryHeap<number>((a, b) => a < b);
    [3, 1, 2].forEach((n) => heap.push(n));
    heap.clear();
    expect(heap.length).toBe(0);
    expect(heap.pop()).toBeUndefined();
  });
});
