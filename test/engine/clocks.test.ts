import { Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { startEngine } from '../../engine';
import { eventually } from '../support/eventually';
import { startHarness, uid, type Harness } from './harness';
import { sleeper } from './workflows/basics';

describe('clocks', () => {
  describe('manual offset clock', () => {
    let h: Harness;
    const taskQueue = uid('manual');
    beforeAll(async () => {
      h = await startHarness({ kind: 'manual', startAt: new Date('2030-01-01T08:00:00Z') });
      await h.runWorker({ taskQueue, workflowsPath: require.resolve('./workflows/basics') });
    }, 30_000);
    afterAll(async () => {
      await h?.close();
    });

    it('starts at the given time, runs at wall speed and fires due timers when advanced', async () => {
      const t0 = h.engine.clock.now();
      expect(t0).toBeGreaterThanOrEqual(Date.parse('2030-01-01T08:00:00Z'));
      expect(t0).toBeLessThan(Date.parse('2030-01-01T08:01:00Z'));
      const handle = await h.client.workflow.start(sleeper, { taskQueue, workflowId: uid('m'), args: [3 * 24 * 3600 * 1000] });
      // Advance only once the timer is started: a first workflow task still in flight would
      // time out in the jump instead (a loaded machine can take longer than any fixed pause).
      const timerStarted = async () => (await handle.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes);
      expect(await eventually(timerStarted, (started) => started, 30_000)).toBe(true);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      h.engine.clock.advance!(3 * 24 * 3600 * 1000);
      expect(await handle.result()).toBe('slept');
      const events = (await handle.fetchHistory()).events!;
      const startedAt = Number(events[0].eventTime!.seconds) * 1000;
      const closedAt = Number(events.at(-1)!.eventTime!.seconds) * 1000;
      expect(closedAt - startedAt).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000 - 1000);
      expect(h.engine.clock.now() - t0).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
    });

    it('refuses to move backwards', () => {
      expect(() => h.engine.clock.advance!(-1)).toThrow(RangeError);
    });
  });

  describe('real clock', () => {
    it('has no advance and follows wall time', async () => {
      const engine = await startEngine({ clock: 'real' });
      try {
        expect(engine.clock.advance).toBeUndefined();
        expect(Math.abs(engine.clock.now() - Date.now())).toBeLessThan(50);
      } finally {
        await engine.stop();
      }
    });
  });

  describe('in-process time skipping', () => {
    it('starts locked like the test server and jumps to the next timer once unlocked and idle', async () => {
      const h = await startHarness('skipping');
      const taskQueue = uid('skip');
      const w = await h.worker({ taskQueue, workflowsPath: require.resolve('./workflows/basics') });
      try {
        await w.runUntil(async () => {
          const conn = await Connection.connect({ address: h.engine.address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } } as any);
          const handle = await h.client.workflow.start(sleeper, { taskQueue, workflowId: uid('s'), args: [10 * 24 * 3600 * 1000] });
          const before = h.engine.clock.now();
          await new Promise((r) => setTimeout(r, 200));
          // Locked: no skipping yet.
          expect(h.engine.clock.now() - before).toBeLessThan(10_000);
          await conn.testService!.unlockTimeSkipping({});
          const wall = Date.now();
          expect(await handle.result()).toBe('slept');
          // Ten days skipped, not waited (slack for a loaded machine).
          expect(Date.now() - wall).toBeLessThan(20_000);
          expect(h.engine.clock.now() - before).toBeGreaterThanOrEqual(10 * 24 * 3600 * 1000);
          const { time } = await conn.testService!.getCurrentTime({});
          expect(Number(time!.seconds) * 1000).toBeGreaterThanOrEqual(before + 10 * 24 * 3600 * 1000 - 1000);
          await conn.close();
        });
      } finally {
        await h.close();
      }
    });
  });
});

describe('start-up failure', () => {
  it('rejects when the port is taken, leaving nothing running', async () => {
    const first = await startEngine();
    try {
      await expect(startEngine({ port: first.port })).rejects.toThrow();
    } finally {
      await first.stop();
    }
  });
});
