import { msToTs } from '@temporalio/common/lib/time';
import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { startHarness, uid, type Harness } from './harness';

/**
 * Workflow-task rules checked by driving the engine with raw gRPC calls as a hand-written
 * worker would: buffering, all-or-nothing completion, UNHANDLED_COMMAND, timeouts, stickiness.
 */
const { CommandType, EventType } = temporal.api.enums.v1;
type Svc = Harness['connection']['workflowService'];

describe('workflow task rules (raw gRPC worker)', () => {
  let h: Harness;
  let svc: Svc;
  beforeAll(async () => {
    h = await startHarness();
    svc = h.connection.workflowService;
  });
  afterAll(async () => h?.close());

  const start = async (taskQueue: string, extra: Record<string, unknown> = {}) => {
    const workflowId = uid('raw');
    const { runId } = await svc.startWorkflowExecution({
      namespace: 'default',
      workflowId,
      workflowType: { name: 'raw' },
      taskQueue: { name: taskQueue },
      requestId: uid('req'),
      ...extra,
    });
    return { workflowId, runId: runId! };
  };
  const poll = (taskQueue: string, kind?: temporal.api.enums.v1.TaskQueueKind, normalName?: string) =>
    svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue, kind, normalName }, identity: 'raw-worker' });
  const history = async (workflowId: string) =>
    (await svc.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } })).history!.events!;
  const types = (events: temporal.api.history.v1.IHistoryEvent[]) => events.map((e) => EventType[e.eventType!]);

  it('hands out full history ending at WorkflowTaskStarted, with previousStartedEventId 0 at first', async () => {
    const q = uid('q');
    const { workflowId } = await start(q);
    const task = await poll(q);
    expect(task.workflowExecution?.workflowId).toBe(workflowId);
    expect(Number(task.previousStartedEventId)).toBe(0);
    expect(Number(task.startedEventId)).toBe(3);
    expect(types(task.history!.events!)).toEqual(['EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'EVENT_TYPE_WORKFLOW_TASK_STARTED']);
  });

  it('buffers a signal that arrives mid-task, writes it after the completion and schedules a new task', async () => {
    const q = uid('q');
    const { workflowId } = await start(q);
    const task = await poll(q);
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 's', identity: 'test' });
    await svc.respondWorkflowTaskCompleted({
      taskToken: task.taskToken,
      commands: [{ commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 't1', startToFireTimeout: msToTs('3600s') } }],
      identity: 'raw-worker',
    });
    expect(types(await history(workflowId)).slice(3)).toEqual([
      'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      'EVENT_TYPE_TIMER_STARTED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
    ]);
    const next = await poll(q);
    expect(Number(next.previousStartedEventId)).toBe(3);
    expect(Number(next.startedEventId)).toBe(8);
  });

  it('fails a closing completion with UNHANDLED_COMMAND when events are buffered, then dispatches again', async () => {
    const q = uid('q');
    const { workflowId } = await start(q);
    const task = await poll(q);
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 's' });
    // Answered INVALID_ARGUMENT "UnhandledCommand" (what the SDK core matches to evict quietly).
    await expect(
      svc.respondWorkflowTaskCompleted({
        taskToken: task.taskToken,
        commands: [{ commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }],
      }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: 'UnhandledCommand' });
    const events = await history(workflowId);
    expect(types(events).slice(3)).toEqual(['EVENT_TYPE_WORKFLOW_TASK_FAILED', 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED']);
    expect(events[3].workflowTaskFailedEventAttributes?.cause).toBe(temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
    const again = await poll(q);
    expect(again.taskToken?.length).toBeGreaterThan(0);
  });

  it('applies a completion all-or-nothing: one bad command fails the task and writes none of the others', async () => {
    const q = uid('q');
    const { workflowId } = await start(q);
    const task = await poll(q);
    // The task failed in history first; the caller is told so the worker drops its cached run.
    await expect(
      svc.respondWorkflowTaskCompleted({
        taskToken: task.taskToken,
        commands: [
          { commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 'ok', startToFireTimeout: msToTs('60s') } },
          { commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 'no-such-timer' } },
        ],
      }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^BadCancelTimerAttributes: /) });
    const t = types(await history(workflowId));
    expect(t).not.toContain('EVENT_TYPE_TIMER_STARTED');
    expect(t.slice(3)).toEqual(['EVENT_TYPE_WORKFLOW_TASK_FAILED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED']);
    const retry = await poll(q);
    expect(retry.attempt).toBe(2);
  });

  it('times a silent workflow task out after its start-to-close timeout and reschedules it', async () => {
    const q = uid('q');
    const { workflowId } = await start(q, { workflowTaskTimeout: msToTs('1s') });
    const task = await poll(q);
    expect(task.taskToken?.length).toBeGreaterThan(0);
    const again = await poll(q);
    expect(again.attempt).toBe(2);
    const t = types(await history(workflowId));
    expect(t).toContain('EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT');
    // The stale token is refused.
    await expect(svc.respondWorkflowTaskCompleted({ taskToken: task.taskToken, commands: [] })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('keeps sdkMetadata verbatim in WorkflowTaskCompleted', async () => {
    const q = uid('q');
    const { workflowId } = await start(q);
    const task = await poll(q);
    await svc.respondWorkflowTaskCompleted({
      taskToken: task.taskToken,
      commands: [{ commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }],
      sdkMetadata: { langUsedFlags: [1, 2], sdkName: 'raw', sdkVersion: '9' },
    });
    const completed = (await history(workflowId)).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!;
    expect(completed.workflowTaskCompletedEventAttributes?.sdkMetadata?.langUsedFlags).toEqual([1, 2]);
    expect(completed.workflowTaskCompletedEventAttributes?.sdkMetadata?.sdkName).toBe('raw');
  });

  it('dispatches on the sticky queue with only new events, and falls back to the normal queue after ShutdownWorker', async () => {
    const q = uid('q');
    const sticky = uid('sticky');
    const { workflowId } = await start(q);
    const task = await poll(q);
    await svc.respondWorkflowTaskCompleted({
      taskToken: task.taskToken,
      commands: [],
      stickyAttributes: { workerTaskQueue: { name: sticky }, scheduleToStartTimeout: msToTs('60s') },
    });
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 's' });
    const stickyTask = await poll(sticky, temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY, q);
    expect(types(stickyTask.history!.events!)).toEqual([
      'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_TASK_STARTED',
    ]);
    await svc.respondWorkflowTaskCompleted({
      taskToken: stickyTask.taskToken,
      commands: [],
      stickyAttributes: { workerTaskQueue: { name: sticky }, scheduleToStartTimeout: msToTs('60s') },
    });
    await svc.shutdownWorker({ namespace: 'default', stickyTaskQueue: sticky, identity: 'raw-worker' });
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 's2' });
    const normal = await poll(q);
    expect(normal.history!.events![0].eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  });

  it('moves a sticky task to the normal queue after the sticky schedule-to-start timeout', async () => {
    const q = uid('q');
    const { workflowId } = await start(q);
    const task = await poll(q);
    await svc.respondWorkflowTaskCompleted({
      taskToken: task.taskToken,
      commands: [],
      stickyAttributes: { workerTaskQueue: { name: uid('gone') }, scheduleToStartTimeout: msToTs(200) },
    });
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 's' });
    const normal = await poll(q);
    expect(normal.history!.events![0].eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    expect(Number(normal.previousStartedEventId)).toBe(3);
  });

  it('keeps a backlog on the sticky queue past its schedule-to-start timeout while the sticky worker keeps polling', async () => {
    // A burst of deadlines queues far more tasks than the worker takes at once: the worker is
    // alive (it polls its sticky queue), so its tasks stay there with only their new events
    // instead of moving to the normal queue, where each run would be replayed in full.
    const q = uid('q');
    const sticky = uid('sticky');
    const stickyMs = 2000;
    const runs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { workflowId } = await start(q);
      const first = await poll(q);
      await svc.respondWorkflowTaskCompleted({
        taskToken: first.taskToken,
        commands: [],
        stickyAttributes: { workerTaskQueue: { name: sticky }, scheduleToStartTimeout: msToTs(stickyMs) },
      });
      runs.push(workflowId);
    }
    const queuedAt = Date.now();
    for (const workflowId of runs) await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 's' });
    const taken: string[] = [];
    for (let i = 0; i < runs.length; i++) {
      // Polls 500 ms apart (well within the timeout): the last tasks wait about 2.5 s, past it.
      if (i > 0) await new Promise((r) => setTimeout(r, 500));
      const task = await h.connection.withDeadline(Date.now() + 3000, () => poll(sticky, temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY, q));
      expect(task.taskToken?.length).toBeGreaterThan(0);
      expect(types(task.history!.events!)[0]).toBe('EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
      taken.push(task.workflowExecution!.workflowId!);
    }
    expect(Date.now() - queuedAt).toBeGreaterThan(stickyMs);
    expect(taken).toEqual(runs);
  });

  it('completes a worker\'s outstanding polls on ShutdownWorker', async () => {
    const q = uid('q');
    const startedAt = Date.now();
    const polls = [
      svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'w1', workerInstanceKey: 'key-1' }),
      svc.pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'w1', workerInstanceKey: 'key-1' }),
    ];
    const other = svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'w2', workerInstanceKey: 'key-2' });
    await new Promise((r) => setTimeout(r, 50));
    await svc.shutdownWorker({ namespace: 'default', identity: 'w1', workerInstanceKey: 'key-1' });
    const done = await Promise.all(polls);
    expect(done.map((p) => p.taskToken?.length ?? 0)).toEqual([0, 0]);
    // Answered by the shutdown, not by the long poll's own end a minute later (slack for a loaded machine).
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    // Another worker's poll still gets the next task.
    await start(q);
    expect((await other).taskToken?.length).toBeGreaterThan(0);
  });

  it('hands eagerly requested activities back in the completion response (own task queue only)', async () => {
    const q = uid('q');
    await start(q);
    const task = await poll(q);
    const schedule = (activityId: string, taskQueue: string) => ({
      commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
      scheduleActivityTaskCommandAttributes: { activityId, activityType: { name: 'a' }, taskQueue: { name: taskQueue }, startToCloseTimeout: msToTs('10s'), requestEagerExecution: true },
    });
    const res = await svc.respondWorkflowTaskCompleted({ taskToken: task.taskToken, commands: [schedule('eager', q), schedule('other-queue', uid('elsewhere'))], identity: 'raw-worker' });
    expect(res.activityTasks?.map((t) => t.activityId)).toEqual(['eager']);
    expect(res.activityTasks?.[0].attempt).toBe(1);
    await svc.respondActivityTaskCompleted({ taskToken: res.activityTasks![0].taskToken, identity: 'raw-worker' });
  });

  it('records an acceptance for an update whose admission was lost, so a retried update is found done', async () => {
    const q = uid('q');
    const { workflowId } = await start(q);
    const task = await poll(q);
    const request = { meta: { updateId: 'lost-1', identity: 'client' }, input: { name: 'act' } };
    const any = (typeName: string, value: Record<string, unknown>) => {
      const type = (temporal.api.update.v1 as any)[typeName.split('.').pop()!];
      return { type_url: `type.googleapis.com/${typeName}`, value: type.encode(type.create(value)).finish() };
    };
    await svc.respondWorkflowTaskCompleted({
      taskToken: task.taskToken,
      identity: 'raw-worker',
      messages: [
        { id: 'lost-1/accept', protocolInstanceId: 'lost-1', body: any('temporal.api.update.v1.Acceptance', { acceptedRequestMessageId: 'lost-1/request', acceptedRequestSequencingEventId: 2, acceptedRequest: request }) },
        { id: 'lost-1/complete', protocolInstanceId: 'lost-1', body: any('temporal.api.update.v1.Response', { meta: request.meta, outcome: { success: { payloads: [] } } }) },
      ],
      commands: [
        { commandType: CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessageCommandAttributes: { messageId: 'lost-1/accept' } },
        { commandType: CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessageCommandAttributes: { messageId: 'lost-1/complete' } },
      ],
    });
    expect(types(await history(workflowId)).slice(3)).toEqual([
      'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    ]);
    const again = await svc.updateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, request, waitPolicy: { lifecycleStage: 3 } });
    expect(again.stage).toBe(temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED);
    expect(again.outcome?.success).toBeTruthy();
    // No new workflow task was needed to answer it.
    expect(types(await history(workflowId))).toHaveLength(6);
  });

  it('answers an empty poll (no task token) before the caller deadline', async () => {
    const startedAt = Date.now();
    const res = await h.connection.withDeadline(Date.now() + 2500, () =>
      svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: uid('empty') }, identity: 'x' }),
    );
    expect(res.taskToken?.length ?? 0).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(2500);
  });
});
