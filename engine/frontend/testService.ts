import { failedPrecondition } from '../errors';
import { durationToMs, msToTimestamp, timestampToMs } from '../proto';
import type { OffsetClock } from '../timers/clock';
import type { TimerQueue } from '../timers/timerQueue';
import type { TimeSkipper } from '../timers/timeSkipper';
import type { Handler } from './grpcServer';

/**
 * temporal.api.testservice.v1.TestService: the time-skipping controls the SDK's
 * TestWorkflowEnvironment uses. Only served when the engine runs the skipping clock.
 */
export function testServiceHandlers(clock: OffsetClock, timers: TimerQueue, skipper: TimeSkipper | undefined): Record<string, Handler> {
  const need = (): TimeSkipper => {
    if (!skipper) throw failedPrecondition('time skipping is not enabled on this engine');
    return skipper;
  };
  /** Resolves once engine time reaches `due` (fast when time skips). */
  const waitUntil = (due: number) => new Promise<void>((resolve) => timers.schedule(due, resolve));
  return {
    async LockTimeSkipping() {
      need().lock();
      return {};
    },
    async UnlockTimeSkipping() {
      need().unlock();
      return {};
    },
    async Sleep(req) {
      need();
      await waitUntil(clock.now() + durationToMs(req.duration));
      return {};
    },
    async SleepUntil(req) {
      need();
      await waitUntil(timestampToMs(req.timestamp) ?? clock.now());
      return {};
    },
    async UnlockTimeSkippingWithSleep(req) {
      const s = need();
      const done = waitUntil(clock.now() + durationToMs(req.duration));
      s.unlock();
      await done;
      s.lock();
      return {};
    },
    async GetCurrentTime() {
      return { time: msToTimestamp(clock.now()) };
    },
  };
}
