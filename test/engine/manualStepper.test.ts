/**
 * The manual clock's step-through (engine/timers/manualStepper.ts), behind POST
 * /admin/clock/advance: each due timer fires at its own instant, in due order, and the next waits
 * until the work the previous one caused is done; stuck work stops the clock where it is.
 * A clock that publishes its offset tells another thread the same time (scripts/engineThread.ts).
 */
import { OffsetClock, readSharedClock, sharedClockOffset } from '../../engine/timers/clock';
import { stepTo } from '../../engine/timers/manualStepper';
import { TimerQueue } from '../../engine/timers/timerQueue';

const HOUR = 3_600_000;

function setup() {
  const clock = new OffsetClock('manual', Date.parse('2026-12-28T09:00:00Z'));
  const timers = new TimerQueue(clock);
  let busy = 0;
  const fired: { name: string; at: number; busyElsewhere: number }[] = [];
  /** A timer whose effect takes `workMs` of "work in flight" (like a workflow task and its activities). */
  const at = (name: string, due: number, workMs = 30) =>
    timers.schedule(due, () => {
      fired.push({ name, at: clock.now(), busyElsewhere: busy });
      busy++;
      setTimeout(() => busy--, workMs);
    });
  return { clock, timers, fired, at, inFlight: () => busy };
}

test('fires each timer at its own instant, in due order, one at a time, then stops at the target', async () => {
  const { clock, timers, fired, at, inFlight } = setup();
  const t0 = clock.now();
  at('deadline', t0 + 2 * HOUR);
  at('urge', t0 + HOUR, 80);
  at('after the target', t0 + 10 * HOUR);
  const result = await stepTo(t0 + 3 * HOUR, clock, timers, inFlight, 5_000);
  expect(fired.map((f) => f.name)).toEqual(['urge', 'deadline']);
  expect(fired[0].at - (t0 + HOUR)).toBeLessThan(1_000); // not at the end of the jump
  expect(fired[1].at - (t0 + 2 * HOUR)).toBeLessThan(1_000);
  expect(fired.map((f) => f.busyElsewhere)).toEqual([0, 0]); // the urge's work was done before the deadline fired
  expect(result).toMatchObject({ steps: 2, settled: true });
  expect(result.now).toBeGreaterThanOrEqual(t0 + 3 * HOUR);
  expect(inFlight()).toBe(0);
  expect(timers.nextDue()).toBe(t0 + 10 * HOUR);
  timers.stop();
});

test('work that never finishes (no worker) stops the clock at that instant, unsettled', async () => {
  const { clock, timers, at } = setup();
  const t0 = clock.now();
  at('stuck', t0 + HOUR);
  at('later', t0 + 2 * HOUR);
  const result = await stepTo(t0 + 3 * HOUR, clock, timers, () => (clock.now() >= t0 + HOUR ? 1 : 0), 200);
  expect(result.settled).toBe(false);
  expect(result.steps).toBe(1);
  expect(result.now).toBeLessThan(t0 + 2 * HOUR);
  expect(timers.nextDue()).toBe(t0 + 2 * HOUR);
  timers.stop();
});

test('a clock with a shared offset tells another thread its time, start and every jump alike', async () => {
  const { Worker } = await import('node:worker_threads');
  const offset = sharedClockOffset();
  const clock = new OffsetClock('manual', Date.parse('2027-01-04T09:00:00+08:00'), offset);
  // A thread that reads the time from the shared offset whenever asked.
  const reader = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const cell = new BigInt64Array(workerData);
     parentPort.on('message', () => parentPort.postMessage(Date.now() + Number(Atomics.load(cell, 0))));`,
    { eval: true, workerData: offset },
  );
  const ask = () => new Promise<number>((resolve) => (reader.once('message', resolve), reader.postMessage('now')));
  try {
    expect(Math.abs((await ask()) - clock.now())).toBeLessThan(1_000);
    clock.jumpTo(clock.now() + 50 * HOUR);
    const there = await ask();
    expect(there).toBeGreaterThanOrEqual(Date.parse('2027-01-06T11:00:00+08:00'));
    expect(Math.abs(there - clock.now())).toBeLessThan(1_000);
    // The reader this module gives (scripts/engineThread.ts's main side) agrees to the millisecond.
    const read = readSharedClock(offset);
    expect(Math.abs(read() - clock.now())).toBeLessThanOrEqual(1);
  } finally {
    await reader.terminate();
  }
});
