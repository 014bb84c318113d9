import { msToTs } from '@temporalio/common/lib/time';
import * as grpc from '@grpc/grpc-js';
import { Client } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { startHarness, uid, type Harness } from './harness';

const { status } = grpc;

describe('bad input answers the gRPC status Temporal uses and never crashes the engine', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());
  const svc = () => h.connection.workflowService;
  const start = (extra: Record<string, unknown>) =>
    svc().startWorkflowExecution({ namespace: 'default', workflowId: uid('e'), workflowType: { name: 'x' }, taskQueue: { name: 'q' }, requestId: uid('r'), ...extra });

  it('INVALID_ARGUMENT for missing fields, negative timeouts and bad tokens', async () => {
    await expect(start({ workflowId: '' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(start({ workflowType: {} })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(start({ taskQueue: {} })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(start({ workflowRunTimeout: { seconds: -5 } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(svc().respondWorkflowTaskCompleted({ taskToken: Buffer.alloc(0), commands: [] })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(svc().respondActivityTaskCompleted({ taskToken: Buffer.alloc(0) })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(start({ cronSchedule: '61 * * * *' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(svc().listWorkflowExecutions({ namespace: 'default', query: 'WorkflowId = = 1' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(svc().signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: 'x' } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('names an unknown namespace so the client throws NamespaceNotFoundError', async () => {
    const client = new Client({ connection: h.connection, namespace: 'no-such-namespace' });
    await expect(client.workflow.start('x', { taskQueue: 'q', workflowId: uid('w') })).rejects.toBeInstanceOf(NamespaceNotFoundError);
  });

  it('NOT_FOUND for unknown namespaces, workflows and stale tokens', async () => {
    await expect(start({ namespace: 'missing-ns' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(svc().describeWorkflowExecution({ namespace: 'default', execution: { workflowId: 'nope' } })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(svc().respondWorkflowTaskCompleted({ taskToken: Buffer.from('garbage'), commands: [] })).rejects.toMatchObject({ code: status.NOT_FOUND });
    const stale = Buffer.from(JSON.stringify({ k: 'act', ns: 'default', wid: 'w', rid: 'r', sid: 5, att: 1 }));
    await expect(svc().recordActivityTaskHeartbeat({ taskToken: stale })).rejects.toMatchObject({ code: status.NOT_FOUND });
    const { runId } = await start({ workflowId: 'closed-one' });
    await svc().terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: 'closed-one', runId } });
    await expect(svc().signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: 'closed-one' }, signalName: 's' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('ALREADY_EXISTS for duplicate namespaces and running workflow ids', async () => {
    await svc().registerNamespace({ namespace: 'tenant-a', workflowExecutionRetentionPeriod: msToTs('86400s') });
    await expect(svc().registerNamespace({ namespace: 'tenant-a' })).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
    const listed = await svc().listNamespaces({});
    expect(listed.namespaces!.map((n) => n.namespaceInfo?.name)).toEqual(expect.arrayContaining(['default', 'tenant-a']));
    await svc().startWorkflowExecution({ namespace: 'tenant-a', workflowId: 'same', workflowType: { name: 'x' }, taskQueue: { name: 'q' }, requestId: uid('r') });
    await expect(svc().startWorkflowExecution({ namespace: 'tenant-a', workflowId: 'same', workflowType: { name: 'x' }, taskQueue: { name: 'q' }, requestId: uid('r') })).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
  });

  it('UNIMPLEMENTED for what is out of scope', async () => {
    await expect(svc().createSchedule({ namespace: 'default', scheduleId: 's' })).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
  });

  it('answers INVALID_ARGUMENT to undecodable bytes and keeps serving', async () => {
    const client = new grpc.Client(h.engine.address, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        '/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        (e) => resolve(e),
      ),
    );
    client.close();
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect((await svc().getSystemInfo({})).serverVersion).toBeTruthy();
  });

  it('fails a workflow task with a bad command without touching other workflows', async () => {
    const q = uid('q');
    const a = await start({ taskQueue: { name: q } });
    const task = await svc().pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: q }, identity: 't' });
    await expect(
      svc().respondWorkflowTaskCompleted({ taskToken: task.taskToken, commands: [{ commandType: 1, scheduleActivityTaskCommandAttributes: { activityId: 'a' } }] }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^BadScheduleActivityAttributes: /) });
    const hist = await svc().getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: task.workflowExecution!.workflowId } });
    expect(hist.history!.events!.map((e) => e.eventType)).toContain(9 /* WORKFLOW_TASK_FAILED */);
    void a;
  });
});

describe('operator and health services', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('adds, lists, uses and removes custom search attributes', async () => {
    const op = h.connection.operatorService;
    await op.addSearchAttributes({ namespace: 'default', searchAttributes: { CaseStage: 2 /* KEYWORD */ } });
    const listed = await op.listSearchAttributes({ namespace: 'default' });
    expect(listed.customAttributes?.CaseStage).toBe(2);
    expect(listed.systemAttributes?.WorkflowId).toBe(2);
    const wfs = await h.connection.workflowService.listWorkflowExecutions({ namespace: 'default', query: 'CaseStage = "x"' });
    expect(wfs.executions).toEqual([]);
    await expect(op.addSearchAttributes({ namespace: 'default', searchAttributes: { WorkflowId: 2 } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await op.removeSearchAttributes({ namespace: 'default', searchAttributes: ['CaseStage'] });
    await expect(h.connection.workflowService.listWorkflowExecutions({ namespace: 'default', query: 'CaseStage = "x"' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('answers health checks', async () => {
    const res = await h.connection.healthService.check({});
    expect(res.status).toBe(1 /* SERVING */);
  });
});
