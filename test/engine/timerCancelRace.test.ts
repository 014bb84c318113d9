import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { startHarness, uid, type Harness } from './harness';

/**
 * Issue 11: a workflow cancels a timer whose fire arrived while its workflow task ran (the
 * TimerFired is only buffered). Temporal accepts the CancelTimer, drops the buffered fire and
 * records TimerCanceled; the engine used to fail the task with BadCancelTimerAttributes.
 * The race is made deterministic with the manual clock: the fire happens between poll and answer.
 */
const { CommandType, EventType } = temporal.api.enums.v1;
type Svc = Harness['connection']['workflowService'];

describe('CancelTimer for a timer that fired while the workflow task ran', () => {
  let h: Harness;
  let svc: Svc;
  beforeAll(async () => {
    h = await startHarness({ kind: 'manual' });
    svc = h.connection.workflowService;
  });
  afterAll(async () => h?.close());

  const types = (events: temporal.api.history.v1.IHistoryEvent[]) => events.map((e) => EventType[e.eventType!]);
  const history = async (workflowId: string) =>
    (await svc.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } })).history!.events!;
  const poll = (q: string) => svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'raw-worker' });

  /** Starts a run whose first task starts timer `t1` (60 s), then holds its second task (woken by a signal). */
  async function secondTaskInFlightWithTimer() {
    const q = uid('q');
    const workflowId = uid('race');
    // The task timeout outlasts the clock jump below, so only the timer comes due.
    const workflowTaskTimeout = msToTs('120s');
    await svc.startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'raw' }, taskQueue: { name: q }, requestId: uid('req'), workflowTaskTimeout });
    const first = await poll(q);
    await svc.respondWorkflowTaskCompleted({
      taskToken: first.taskToken,
      commands: [{ commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 't1', startToFireTimeout: msToTs('60s') } }],
      identity: 'raw-worker',
    });
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'cancel-deadline', identity: 'test' });
    const second = await poll(q);
    expect(types(second.history!.events!)).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    // The deadline passes while the worker holds the task: its TimerFired is buffered.
    h.engine.clock.advance!(61_000);
    const timerStarted = (await history(workflowId)).find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)!;
    return { q, workflowId, second, timerStartedId: Number(timerStarted.eventId) };
  }

  it('accepts the cancel, drops the buffered TimerFired and records TimerCanceled', async () => {
    const { workflowId, second, timerStartedId } = await secondTaskInFlightWithTimer();
    await svc.respondWorkflowTaskCompleted({
      taskToken: second.taskToken,
      commands: [{ commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 't1' } }],
      identity: 'raw-worker',
    });
    const events = await history(workflowId);
    const tail = types(events).slice(Number(second.startedEventId));
    expect(tail).toEqual(['EVENT_TYPE_WORKFLOW_TASK_COMPLETED', 'EVENT_TYPE_TIMER_CANCELED']);
    expect(types(events)).not.toContain('EVENT_TYPE_TIMER_FIRED');
    expect(types(events)).not.toContain('EVENT_TYPE_WORKFLOW_TASK_FAILED');
    const canceled = events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_CANCELED)!;
    expect(Number(canceled.timerCanceledEventAttributes?.startedEventId)).toBe(timerStartedId);
    // Nothing was left to deliver, so no new workflow task was scheduled.
    const described = await svc.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
    expect(described.pendingWorkflowTask).toBeFalsy();
  });

  it('lets the same completion close the run (the dropped fire is not an unhandled event)', async () => {
    const { workflowId, second } = await secondTaskInFlightWithTimer();
    await svc.respondWorkflowTaskCompleted({
      taskToken: second.taskToken,
      commands: [
        { commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 't1' } },
        { commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} },
      ],
      identity: 'raw-worker',
    });
    const tail = types(await history(workflowId)).slice(Number(second.startedEventId));
    expect(tail).toEqual(['EVENT_TYPE_WORKFLOW_TASK_COMPLETED', 'EVENT_TYPE_TIMER_CANCELED', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED']);
  });

  it('still refuses a second cancel of the same timer in one completion', async () => {
    const { workflowId, second } = await secondTaskInFlightWithTimer();
    await expect(
      svc.respondWorkflowTaskCompleted({
        taskToken: second.taskToken,
        commands: [
          { commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 't1' } },
          { commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 't1' } },
        ],
      }),
    ).rejects.toMatchObject({ details: expect.stringMatching(/^BadCancelTimerAttributes: /) });
    // The task failed and the buffered fire was written after it, as before.
    const t = types(await history(workflowId)).slice(Number(second.startedEventId));
    expect(t).toEqual(['EVENT_TYPE_WORKFLOW_TASK_FAILED', 'EVENT_TYPE_TIMER_FIRED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED']);
  });
});
