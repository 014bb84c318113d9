import { msToTs } from '@temporalio/common/lib/time';
import { status } from '@grpc/grpc-js';
import { Client, Connection, WithStartWorkflowOperation, QueryNotRegisteredError, QueryRejectedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startHarness, uid, type Harness } from './harness';
import { countQuery, failQuery, incrementUpdate, neverEndingUpdate, slowUpdate, stopSignal, updatable } from './workflows/messages';

const workflowsPath = require.resolve('./workflows/messages');
const { CommandType, QueryResultType } = temporal.api.enums.v1;

describe('signals, queries and updates', () => {
  let h: Harness;
  const taskQueue = uid('msg');
  beforeAll(async () => {
    h = await startHarness();
    await h.runWorker({ taskQueue, workflowsPath });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  });

  describe('updates (SDK worker)', () => {
    it('rejects in the validator without writing events, accepts and completes otherwise', async () => {
      const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('u') });
      await expect(handle.executeUpdate(incrementUpdate, { args: [-1] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      expect(await handle.executeUpdate(incrementUpdate, { args: [2] })).toBe(2);
      const events = (await handle.fetchHistory()).events!;
      expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
      expect(events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes)).toHaveLength(1);
      await handle.signal(stopSignal);
      expect(await handle.result()).toBe(1);
    });

    it('brings the first workflow task forward for an update on a delayed start; a query there fails fast', async () => {
      const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('u'), startDelay: '10000 days' });
      await expect(handle.query(countQuery)).rejects.toMatchObject({ cause: { code: status.FAILED_PRECONDITION } });
      expect(await handle.executeUpdate(incrementUpdate, { args: [4] })).toBe(4);
      await handle.signal(stopSignal);
      expect(await handle.result()).toBe(1);
    });

    it('refuses an eleventh update in flight with RESOURCE_EXHAUSTED', async () => {
      const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('u') });
      for (let i = 0; i < 10; i++) await handle.startUpdate(neverEndingUpdate, { waitForStage: 'ACCEPTED' });
      // Without the client's retries (it retries RESOURCE_EXHAUSTED for ~40 s before giving up).
      const once = await Connection.connect({ address: h.engine.address, interceptors: [] });
      const raw = await once.workflowService
        .updateWorkflowExecution({
          namespace: 'default',
          workflowExecution: { workflowId: handle.workflowId },
          request: { meta: { updateId: 'eleventh' }, input: { name: 'neverEnding' } },
          waitPolicy: { lifecycleStage: 2 },
        })
        .catch((e) => e)
        .finally(() => once.close());
      expect(raw).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
      await handle.terminate();
    });

    it('de-duplicates by update id', async () => {
      const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('u') });
      expect(await handle.executeUpdate(incrementUpdate, { args: [5], updateId: 'same' })).toBe(5);
      expect(await handle.executeUpdate(incrementUpdate, { args: [5], updateId: 'same' })).toBe(5);
      expect(await handle.query(countQuery)).toBe(5);
      await handle.signal(stopSignal);
      expect(await handle.result()).toBe(1);
    });

    it('starts an update, then polls its outcome (PollWorkflowExecutionUpdate)', async () => {
      const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('u') });
      const upd = await handle.startUpdate(slowUpdate, { args: [300], waitForStage: 'ACCEPTED' });
      const again = handle.getUpdateHandle<string>(upd.updateId);
      expect(await again.result()).toBe('slept 300');
      expect(await upd.result()).toBe('slept 300');
      await handle.signal(stopSignal);
      await handle.result();
    });

    it('fails an accepted update when the workflow closes first, and refuses updates on a closed workflow', async () => {
      const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('u') });
      const upd = await handle.startUpdate(neverEndingUpdate, { waitForStage: 'ACCEPTED' });
      await handle.signal(stopSignal);
      await handle.result();
      await expect(upd.result()).rejects.toThrow();
      await expect(handle.executeUpdate(incrementUpdate, { args: [1] })).rejects.toThrow();
    });
  });

  describe('update-with-start (ExecuteMultiOperation)', () => {
    it('starts the workflow and runs the update in its first task, then reuses the running workflow', async () => {
      const workflowId = uid('uws');
      const op = () => new WithStartWorkflowOperation(updatable, { taskQueue, workflowId, workflowIdConflictPolicy: 'USE_EXISTING' });
      const first = op();
      expect(await h.client.workflow.executeUpdateWithStart(incrementUpdate, { args: [3], startWorkflowOperation: first })).toBe(3);
      const handle = await first.workflowHandle();
      const second = op();
      expect(await h.client.workflow.executeUpdateWithStart(incrementUpdate, { args: [4], startWorkflowOperation: second })).toBe(7);
      expect((await h.client.workflow.count(`WorkflowId = "${workflowId}"`)).count).toBe(1);
      await handle.signal(stopSignal);
      expect(await handle.result()).toBe(2);
    });
  });

  describe('update-with-start errors', () => {
    it('reports the failing operation\'s own status (MultiOperationExecutionFailure)', async () => {
      const startOp = new WithStartWorkflowOperation(updatable, { taskQueue, workflowId: 'x'.repeat(1001), workflowIdConflictPolicy: 'FAIL' });
      const err = await h.client.workflow.startUpdateWithStart(incrementUpdate, { args: [1], waitForStage: 'ACCEPTED', startWorkflowOperation: startOp }).catch((e) => e);
      expect(err).toMatchObject({ code: status.INVALID_ARGUMENT });
      expect(String(err.message)).toMatch(/WorkflowId.*length/i);
      await expect(startOp.workflowHandle()).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    });
  });

  describe('queries (SDK worker)', () => {
    it('answers on running and closed workflows, reports handler errors and rejects by condition', async () => {
      const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('q') });
      expect(await handle.query(countQuery)).toBe(0);
      await expect(handle.query(failQuery)).rejects.toThrow(/query handler broke/);
      await expect(handle.query('no-such-query')).rejects.toBeInstanceOf(QueryNotRegisteredError);
      await handle.signal(stopSignal);
      await handle.result();
      expect(await handle.query(countQuery)).toBe(0);
      const rejecting = new Client({ connection: h.connection, workflow: { queryRejectCondition: 'NOT_OPEN' } }).workflow.getHandle(handle.workflowId);
      await expect(rejecting.query(countQuery)).rejects.toBeInstanceOf(QueryRejectedError);
    });
  });

  describe('query delivery paths (raw gRPC worker)', () => {
    const svc = () => h.connection.workflowService;
    const start = async (q: string) => {
      const workflowId = uid('rq');
      await svc().startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'raw' }, taskQueue: { name: q }, requestId: uid('r') });
      return workflowId;
    };
    const query = (workflowId: string) =>
      svc().queryWorkflow({ namespace: 'default', execution: { workflowId }, query: { queryType: 'ask' } });
    const answer = (text: string) => ({ payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(text)) }] });
    const text = (r: temporal.api.workflowservice.v1.IQueryWorkflowResponse) => JSON.parse(Buffer.from(r.queryResult!.payloads![0].data!).toString());
    const poll = (q: string) => svc().pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 'raw' });

    it('puts a query on a scheduled, not yet started task (answered in the completion)', async () => {
      const q = uid('q');
      const workflowId = await start(q);
      const pending = query(workflowId);
      await new Promise((r) => setTimeout(r, 100));
      const task = await poll(q);
      const ids = Object.keys(task.queries ?? {});
      expect(ids).toHaveLength(1);
      await svc().respondWorkflowTaskCompleted({
        taskToken: task.taskToken,
        commands: [],
        queryResults: { [ids[0]]: { resultType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED, answer: answer('from task') } },
      });
      expect(text(await pending)).toBe('from task');
    });

    it('waits for an in-flight task, then sends a legacy query task', async () => {
      const q = uid('q');
      const workflowId = await start(q);
      const task = await poll(q);
      const pending = query(workflowId);
      await new Promise((r) => setTimeout(r, 100));
      await svc().respondWorkflowTaskCompleted({ taskToken: task.taskToken, commands: [] });
      const legacy = await poll(q);
      expect(legacy.query?.queryType).toBe('ask');
      expect(legacy.history?.events?.[0].workflowExecutionStartedEventAttributes).toBeTruthy();
      await svc().respondQueryTaskCompleted({ taskToken: legacy.taskToken, completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED, queryResult: answer('legacy'), namespace: 'default' });
      expect(text(await pending)).toBe('legacy');
    });

    it('sends a legacy query task to an idle workflow and maps a failed answer to INVALID_ARGUMENT', async () => {
      const q = uid('q');
      const workflowId = await start(q);
      const task = await poll(q);
      await svc().respondWorkflowTaskCompleted({
        taskToken: task.taskToken,
        commands: [{ commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 't', startToFireTimeout: msToTs('3600s') } }],
      });
      const pending = query(workflowId).catch((e) => e);
      const legacy = await poll(q);
      await svc().respondQueryTaskCompleted({ taskToken: legacy.taskToken, completedType: QueryResultType.QUERY_RESULT_TYPE_FAILED, errorMessage: 'nope', namespace: 'default' });
      expect(await pending).toMatchObject({ code: status.INVALID_ARGUMENT });
    });
  });
});
