import { msToTs } from '@temporalio/common/lib/time';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { eventually } from '../support/eventually';
import { startHarness, uid, type Harness } from './harness';
import { closeSignal, deadline, signUpdate, stageQuery } from './workflows/backlog';

/**
 * A person ahead of a burst of passed deadlines (issue 9). After a restart (or a city's 08:30
 * burst) thousands of timer-caused workflow tasks are queued at once; a person's read (a query)
 * or action (an update) on a work order must not wait until they are all done. Queries go ahead
 * of the backlog as in Temporal's matcher (their own path, not the backlog); a queued task that a
 * query or an update rides on goes ahead too (the engine's own choice: engine/README.md). The
 * passed deadlines keep their due order among themselves.
 *
 * No timing is measured: "before the backlog drains" is how many backlog runs had finished when
 * the person's answer came (FIFO would have finished all of them first).
 */
const BACKLOG = 100;
const HOUR = 3_600_000;

describe('a person ahead of a backlog of passed deadlines (SDK worker)', () => {
  let h: Harness;
  let workflowBundle: WorkflowBundle;
  beforeAll(async () => {
    // Sticky queues off: as after a restart, every task is on the normal queue with full history.
    h = await startHarness({ kind: 'manual' }, { sticky: false });
    // Bundled once for the file's workers.
    workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/backlog'), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  /**
   * Starts `BACKLOG` runs due in 1 h + i s (due order = start order) that end when urged, and the
   * person's run due in `personDueMs` that stays open; runs each first task with a worker, stops
   * it, and moves the clock two hours: every passed deadline's task is queued, nobody polls.
   */
  async function queueBacklog(taskQueue: string, personDueMs: number) {
    const backlog: WorkflowHandle<typeof deadline>[] = [];
    let person!: WorkflowHandle<typeof deadline>;
    const first = await h.worker({ taskQueue, workflowBundle });
    await first.runUntil(async () => {
      for (let i = 0; i < BACKLOG; i++) {
        backlog.push(await h.client.workflow.start(deadline, { taskQueue, workflowId: uid('due'), args: [HOUR + i * 1000, true] }));
      }
      person = await h.client.workflow.start(deadline, { taskQueue, workflowId: uid('person'), args: [personDueMs, false] });
      // Each has run its first task (a query waits for it): its timer is armed.
      for (const handle of [...backlog, person]) expect(await handle.query(stageQuery)).toBe('waiting');
    });
    h.engine.clock.advance!(2 * HOUR);
    const personPassed = personDueMs <= 2 * HOUR ? 1 : 0;
    expect(h.engine.queuedWorkflowTasks(taskQueue)).toEqual({ interactive: 0, backlog: BACKLOG + personPassed });
    return { backlog, person };
  }

  const finished = async (taskQueue: string) => h.client.workflow.count(`TaskQueue = "${taskQueue}" AND ExecutionStatus = "Completed"`).then((c) => c.count);

  /** Lets `ask` reach the engine's interactive lane, then starts a worker (two tasks at a time). */
  async function answeredWith<T>(taskQueue: string, ask: () => Promise<T>): Promise<{ answer: T; finishedBefore: number }> {
    const asked = ask().then(async (answer) => ({ answer, finishedBefore: await finished(taskQueue) }));
    const queued = await eventually(async () => h.engine.queuedWorkflowTasks(taskQueue).interactive, (n) => n > 0);
    expect(queued).toBe(1);
    await h.runWorker({ taskQueue, workflowBundle, maxConcurrentWorkflowTaskExecutions: 2 });
    return asked;
  }

  it('answers a query on an idle work order before the backlog drains', async () => {
    const taskQueue = uid('q-idle');
    const { backlog, person } = await queueBacklog(taskQueue, 10 * 24 * HOUR);
    const { answer, finishedBefore } = await answeredWith(taskQueue, () => person.query(stageQuery));
    expect(answer).toBe('waiting');
    expect(finishedBefore).toBeLessThan(BACKLOG / 2);
    // The backlog still drains: every passed deadline is urged.
    expect(await Promise.all(backlog.map((b) => b.result()))).toEqual(backlog.map(() => 'urged'));
    await person.signal(closeSignal);
    expect(await person.result()).toBe(answer);
  }, 120_000);

  it('answers a query on a work order whose own deadline is last in the backlog, with that deadline passed', async () => {
    const taskQueue = uid('q-queued');
    const { backlog, person } = await queueBacklog(taskQueue, HOUR + BACKLOG * 1000);
    // The query rides on the run's queued task (a consistent answer, after its timer fired).
    const { answer, finishedBefore } = await answeredWith(taskQueue, () => person.query(stageQuery));
    expect(answer).toBe('urged');
    expect(finishedBefore).toBeLessThan(BACKLOG / 2);
    expect(await Promise.all(backlog.map((b) => b.result()))).toEqual(backlog.map(() => 'urged'));
    await person.signal(closeSignal);
    expect(await person.result()).toBe(answer);
  }, 120_000);

  it('completes an action (update) on an idle work order before the backlog drains', async () => {
    const taskQueue = uid('u-idle');
    const { backlog, person } = await queueBacklog(taskQueue, 10 * 24 * HOUR);
    const { answer, finishedBefore } = await answeredWith(taskQueue, () => person.executeUpdate(signUpdate, { args: ['unit-1'] }));
    expect(answer).toBe('signed by unit-1');
    expect(finishedBefore).toBeLessThan(BACKLOG / 2);
    expect(await Promise.all(backlog.map((b) => b.result()))).toEqual(backlog.map(() => 'urged'));
    await person.signal(closeSignal);
    expect(await person.result()).toBe('signed by unit-1');
  }, 120_000);
});

// The order itself, task by task, with a raw gRPC poller (as test/engine/timerBurst.test.ts).
const { CommandType, EventType, QueryResultType } = temporal.api.enums.v1;
type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;

describe('the order of a queue with a backlog and a person waiting (raw gRPC poller)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kind: 'manual' }, { sticky: false });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  });
  const svc = () => h.connection.workflowService;
  const poll = (q: string) => h.connection.withDeadline(Date.now() + 2500, () => svc().pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'raw' }));
  const answer = (text: string) => ({ payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(text)) }] });
  const text = (r: temporal.api.workflowservice.v1.IQueryWorkflowResponse) => JSON.parse(Buffer.from(r.queryResult!.payloads![0].data!).toString());
  const fired = (task: PollResponse) => task.history!.events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED).length;

  async function startWithTimer(q: string, dueInMs: number): Promise<string> {
    const workflowId = uid('raw');
    await svc().startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'raw' }, taskQueue: { name: q }, requestId: uid('req') });
    const task = await poll(q);
    expect(task.workflowExecution?.workflowId).toBe(workflowId);
    await svc().respondWorkflowTaskCompleted({
      taskToken: task.taskToken,
      identity: 'raw',
      commands: [{ commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 'deadline', startToFireTimeout: msToTs(dueInMs) } }],
    });
    return workflowId;
  }

  it('hands out the query task, then the queued task a query rides on, then the passed deadlines in due order', async () => {
    const q = uid('q');
    // Started first, due last; the queried run with a passed deadline is due after all of them.
    const burst: string[] = [];
    for (let i = 0; i < 20; i++) burst.push(await startWithTimer(q, HOUR + (20 - i) * 1000));
    const queued = await startWithTimer(q, HOUR + 60_000);
    const idle = await startWithTimer(q, 10 * 24 * HOUR);
    h.engine.clock.advance!(2 * HOUR);
    expect(h.engine.queuedWorkflowTasks(q)).toEqual({ interactive: 0, backlog: 21 });

    const askIdle = svc().queryWorkflow({ namespace: 'default', execution: { workflowId: idle }, query: { queryType: 'stage' } });
    await eventually(async () => h.engine.queuedWorkflowTasks(q).interactive, (n) => n === 1);
    const askQueued = svc().queryWorkflow({ namespace: 'default', execution: { workflowId: queued }, query: { queryType: 'stage' } });
    await eventually(async () => h.engine.queuedWorkflowTasks(q).interactive, (n) => n === 2);
    expect(h.engine.queuedWorkflowTasks(q)).toEqual({ interactive: 2, backlog: 21 });

    // 1. The idle run's query, as a query task (history up to its last completed task).
    const queryTask = await poll(q);
    expect(queryTask.workflowExecution?.workflowId).toBe(idle);
    expect(queryTask.query?.queryType).toBe('stage');
    await svc().respondQueryTaskCompleted({ taskToken: queryTask.taskToken, completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED, queryResult: answer('waiting'), namespace: 'default' });
    expect(text(await askIdle)).toBe('waiting');

    // 2. The queued run's task, moved ahead with the query on it and its timer fired in it.
    const carrying = await poll(q);
    expect(carrying.workflowExecution?.workflowId).toBe(queued);
    expect(fired(carrying)).toBe(1);
    const ids = Object.keys(carrying.queries ?? {});
    expect(ids).toHaveLength(1);
    await svc().respondWorkflowTaskCompleted({
      taskToken: carrying.taskToken,
      identity: 'raw',
      commands: [],
      queryResults: { [ids[0]]: { resultType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED, answer: answer('urged') } },
    });
    expect(text(await askQueued)).toBe('urged');

    // 3. The rest of the burst in due order, each once; the queued run's old place is skipped.
    const rest: PollResponse[] = [];
    for (;;) {
      const task = await poll(q);
      if (!task.taskToken?.length) break;
      rest.push(task);
      await svc().respondWorkflowTaskCompleted({ taskToken: task.taskToken, identity: 'raw', commands: [] });
    }
    expect(rest.map((t) => t.workflowExecution!.workflowId)).toEqual([...burst].reverse());
    expect(rest.map(fired)).toEqual(burst.map(() => 1));
    expect(h.engine.queuedWorkflowTasks(q)).toEqual({ interactive: 0, backlog: 0 });
  }, 120_000);
});
