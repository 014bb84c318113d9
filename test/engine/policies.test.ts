import { decideRetry, fillActivityTimeouts, fillRetryPolicy } from '../../engine/history/activityPolicy';
import { durationToMs, msToDuration } from '../../engine/proto';
import { OffsetClock } from '../../engine/timers/clock';
import { TimerQueue } from '../../engine/timers/timerQueue';
import { TimeSkipper } from '../../engine/timers/timeSkipper';

describe('activity policy (server rules)', () => {
  it('fills retry policy defaults: 1 s initial, x2, cap 100 x initial, unlimited attempts', () => {
    const p = fillRetryPolicy(undefined);
    expect(durationToMs(p.initialInterval)).toBe(1000);
    expect(p.backoffCoefficient).toBe(2);
    expect(durationToMs(p.maximumInterval)).toBe(100_000);
    expect(p.maximumAttempts).toBe(0);
    const delays = [1, 2, 3, 8, 9].map((attempt) => (decideRetry(p, attempt, { message: 'x' }, 0, 0) as { delayMs: number }).delayMs);
    expect(delays).toEqual([1000, 2000, 4000, 100_000, 100_000]);
  });

  it('fills timeouts from schedule-to-close, or from the run timeout', () => {
    const a = fillActivityTimeouts({ scheduleToCloseTimeout: msToDuration(60_000) }, 0);
    expect(durationToMs(a.startToCloseTimeout)).toBe(60_000);
    expect(durationToMs(a.scheduleToStartTimeout)).toBe(60_000);
    const b = fillActivityTimeouts({ startToCloseTimeout: msToDuration(5_000), heartbeatTimeout: msToDuration(9_000) }, 30_000);
    expect(durationToMs(b.scheduleToCloseTimeout)).toBe(30_000);
    expect(durationToMs(b.heartbeatTimeout)).toBe(5_000);
    expect(() => fillActivityTimeouts({}, 0)).toThrow(/StartToClose or ScheduleToClose/);
  });

  it('stops at the schedule-to-close deadline and honours nextRetryDelay', () => {
    const p = fillRetryPolicy({ initialInterval: msToDuration(10_000) });
    expect(decideRetry(p, 1, { message: 'x' }, 0, 5_000)).toEqual({ retry: false, retryState: 'RETRY_STATE_TIMEOUT' });
    expect(decideRetry(p, 1, { applicationFailureInfo: { nextRetryDelay: msToDuration(50) } }, 0, 0)).toEqual({ retry: true, delayMs: 50 });
    expect(decideRetry({ ...p, nonRetryableErrorTypes: ['TemporalTimeout:StartToClose'] }, 1, { timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' } }, 0, 0)).toEqual({
      retry: false,
      retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE',
    });
  });
});

describe('timer queue and clocks', () => {
  it('does not fire a timer beyond 2^31-1 ms early (Node fires those at once)', async () => {
    const clock = new OffsetClock('manual');
    const timers = new TimerQueue(clock);
    let fired = 0;
    timers.schedule(clock.now() + 40 * 24 * 3600 * 1000, () => fired++);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(0);
    clock.jumpTo(clock.now() + 40 * 24 * 3600 * 1000);
    expect(fired).toBe(1);
    timers.stop();
  });

  it('fires in due order and skips cancelled timers', () => {
    const clock = new OffsetClock('manual');
    const timers = new TimerQueue(clock);
    const order: string[] = [];
    const t0 = clock.now();
    timers.schedule(t0 + 300, () => order.push('c'));
    timers.schedule(t0 + 100, () => order.push('a'));
    const b = timers.schedule(t0 + 200, () => order.push('b'));
    timers.cancel(b);
    clock.jumpTo(t0 + 1000);
    expect(order).toEqual(['a', 'c']);
    timers.stop();
  });

  it('skips time only when unlocked and idle', async () => {
    const clock = new OffsetClock('skipping');
    const timers = new TimerQueue(clock);
    let idle = false;
    const skipper = new TimeSkipper(clock, timers, () => (idle ? 0 : 1));
    let fired = false;
    const t0 = clock.now();
    timers.schedule(t0 + 3_600_000, () => (fired = true));
    const tick = () => new Promise((r) => setImmediate(r));
    skipper.unlock();
    await tick();
    expect(fired).toBe(false); // busy
    idle = true;
    skipper.lock();
    skipper.poke();
    await tick();
    expect(fired).toBe(false); // locked
    skipper.unlock();
    await tick();
    expect(fired).toBe(true);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(3_600_000);
    skipper.stop();
    timers.stop();
  });

  it('lets work in flight lend its lock to an unlock (an activity sleeping on the test clock)', async () => {
    const clock = new OffsetClock('skipping');
    const timers = new TimerQueue(clock);
    let inFlight = 1; // one activity attempt running
    const skipper = new TimeSkipper(clock, timers, () => inFlight);
    const tick = () => new Promise((r) => setImmediate(r));
    skipper.unlock(); // client.result() waits
    expect(skipper.isLocked()).toBe(true);
    let woke = false;
    timers.schedule(clock.now() + 3_600_000, () => (woke = true));
    skipper.unlock(); // the activity sleeps: its own lock is lent
    await tick();
    expect(woke).toBe(true);
    skipper.lock(); // it wakes up and takes the lock back
    expect(skipper.isLocked()).toBe(true);
    inFlight = 0; // the activity completes
    expect(skipper.isLocked()).toBe(false);
    skipper.unlock(); // a stray unlock never drives the counter below zero
    skipper.lock();
    expect(skipper.isLocked()).toBe(true);
    skipper.stop();
    timers.stop();
  });
});
