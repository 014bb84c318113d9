import { WARM_SLICE_MS, WarmBacklog } from '../../engine/matching/warmBacklog';

/**
 * The warm backlog of a task queue (issue 9): timer-caused workflow tasks are handed out warmest
 * run first within a slice of queueing time, older slices first, queueing order on a tie.
 */
const task = (name: string) => ({ name, dispatch: () => null });

function takeAll(b: WarmBacklog): string[] {
  const out: string[] = [];
  for (let t = b.shift(); t; t = b.shift()) out.push((t as ReturnType<typeof task>).name);
  return out;
}

describe('WarmBacklog', () => {
  it('hands out the warmest first within a slice, and queueing order among equally warm ones', () => {
    const b = new WarmBacklog();
    const t0 = 5 * WARM_SLICE_MS;
    b.push(task('a'), 3, t0);
    b.push(task('b'), 9, t0 + 1);
    b.push(task('c'), 0, t0 + 2);
    b.push(task('d'), 9, t0 + 3);
    b.push(task('e'), 0, t0 + 4);
    expect(b.length).toBe(5);
    expect(takeAll(b)).toEqual(['b', 'd', 'a', 'c', 'e']);
    expect(b.length).toBe(0);
  });

  it('hands out an older slice first, however warm the newer tasks are', () => {
    const b = new WarmBacklog();
    const t0 = 7 * WARM_SLICE_MS;
    b.push(task('new-warm'), 100, t0 + WARM_SLICE_MS);
    b.push(task('old-cold'), 0, t0 + WARM_SLICE_MS - 1);
    b.push(task('old-warm'), 50, t0);
    expect(b.oldestSlice()).toBe(7);
    expect(takeAll(b)).toEqual(['old-warm', 'old-cold', 'new-warm']);
  });

  it('keeps its order over many tasks (a burst of thousands)', () => {
    const b = new WarmBacklog();
    const warmth = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000);
    warmth.forEach((w, i) => b.push(task(String(i)), w, 0));
    const order = takeAll(b).map((name) => warmth[Number(name)]);
    expect(order).toEqual([...warmth].sort((x, y) => y - x));
  });
});
