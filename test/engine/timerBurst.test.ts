import { msToTs } from '@temporalio/common/lib/time';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startEngine, type EngineHandle } from '../../engine';
import { MemoryStore } from '../../engine/persistence/memoryStore';
import { uid } from './harness';

/**
 * A burst of deadlines (issue 9): many runs' timers come due at one clock move. They fire in due
 * order, each run's TimerFired is recorded once, and an engine stopped in the middle of the burst
 * loses none of them: a new engine on the same store fires what was not yet recorded.
 */
const { CommandType, EventType } = temporal.api.enums.v1;
type Svc = Connection['workflowService'];

async function open(store: MemoryStore): Promise<{ engine: EngineHandle; connection: Connection; svc: Svc }> {
  const engine = await startEngine({ store, clock: { kind: 'manual' } });
  const connection = await Connection.connect({ address: engine.address });
  return { engine, connection, svc: connection.workflowService };
}

/** Starts `dueInMs.length` runs on `q`, each with one timer firing after its entry. */
async function startRuns(svc: Svc, q: string, dueInMs: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ms of dueInMs) {
    const workflowId = uid('burst');
    await svc.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'raw' }, taskQueue: { name: q }, requestId: uid('req') });
    const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'raw' });
    expect(task.workflowExecution?.workflowId).toBe(workflowId);
    await svc.respondWorkflowTaskCompleted({
      taskToken: task.taskToken,
      identity: 'raw',
      commands: [{ commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 'deadline', startToFireTimeout: msToTs(ms) } }],
    });
    ids.push(workflowId);
  }
  return ids;
}

/** Takes every task the queue has (a poll answered empty ends it) and returns them in order. */
async function drain(connection: Connection, q: string): Promise<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse[]> {
  const tasks: temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse[] = [];
  for (;;) {
    const task = await connection.withDeadline(Date.now() + 2500, () =>
      connection.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'raw' }),
    );
    if (!task.taskToken?.length) return tasks;
    tasks.push(task);
  }
}

const fired = (task: temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse) =>
  task.history!.events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED).length;

describe('a burst of timers', () => {
  it('fires every timer due by a clock move in due order, each once', async () => {
    const { engine, connection, svc } = await open(new MemoryStore());
    try {
      const q = uid('q');
      // Started first, due last: the order of the tasks is the order of the deadlines.
      const dueIn = Array.from({ length: 30 }, (_, i) => 3_600_000 + (30 - i) * 1000);
      const ids = await startRuns(svc, q, dueIn);
      engine.clock.advance!(2 * 3_600_000);
      const tasks = await drain(connection, q);
      expect(tasks.map((t) => t.workflowExecution!.workflowId)).toEqual([...ids].reverse());
      expect(tasks.map(fired)).toEqual(ids.map(() => 1));
    } finally {
      await connection.close();
      await engine.stop();
    }
  });

  it('hands out the tasks of timers that fire together warmest run first, not in firing order', async () => {
    const { engine, connection, svc } = await open(new MemoryStore());
    try {
      const q = uid('q');
      // Timers of A..F due a second apart, A first (deadlines fall a little apart: each timer
      // counts from its own task's completion).
      const ids = await startRuns(svc, q, Array.from({ length: 6 }, (_, i) => 3_600_000 + i * 1000));
      // Then a worker takes a task of C, A and E (a signal each), in that order.
      for (const i of [2, 0, 4]) {
        await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: ids[i] }, signalName: 'touch', identity: 'raw', requestId: uid('sig') });
        const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'raw' });
        expect(task.workflowExecution?.workflowId).toBe(ids[i]);
        await svc.respondWorkflowTaskCompleted({ taskToken: task.taskToken, identity: 'raw', commands: [] });
      }
      engine.clock.advance!(2 * 3_600_000);
      const tasks = await drain(connection, q);
      // The run a worker took a task of last first (the likeliest still in its workflow cache:
      // issue 9), not the firing order, which a cache's eviction order can match.
      expect(tasks.map((t) => t.workflowExecution!.workflowId)).toEqual([4, 0, 2, 5, 3, 1].map((i) => ids[i]));
      expect(tasks.map(fired)).toEqual(ids.map(() => 1));
    } finally {
      await connection.close();
      await engine.stop();
    }
  });

  it('loses and doubles nothing when the engine stops in the middle of the burst', async () => {
    const store = new MemoryStore();
    const q = uid('q');
    const first = await open(store);
    let early: string[];
    let late: string[];
    try {
      // Half are due within the first move, half only after the restart (latest started, earliest due).
      early = await startRuns(first.svc, q, Array.from({ length: 20 }, () => 3_600_000));
      late = await startRuns(first.svc, q, Array.from({ length: 20 }, (_, i) => 3 * 3_600_000 + (20 - i) * 1000));
      first.engine.clock.advance!(2 * 3_600_000);
      // Stopped with the early half fired (their tasks queued, not taken), the late half pending.
    } finally {
      await first.connection.close();
      await first.engine.stop();
    }
    const second = await open(store);
    try {
      second.engine.clock.advance!(5 * 3_600_000);
      const tasks = await drain(second.connection, q);
      const order = tasks.map((t) => t.workflowExecution!.workflowId);
      // The fires recorded before the stop come first (their tasks were queued at start-up), then
      // the deadlines that passed while the engine was down, in due order.
      expect(order.slice(0, 20).sort()).toEqual([...early].sort());
      expect(order.slice(20)).toEqual([...late].reverse());
      expect(tasks.map(fired)).toEqual(order.map(() => 1));
    } finally {
      await second.connection.close();
      await second.engine.stop();
    }
  });
});
