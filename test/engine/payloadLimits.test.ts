import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { parseArgs } from '../../engine/cli';
import { startEngine, type EngineHandle } from '../../engine';
import { sendsBigPayload } from './workflows/payloadLimits';

const LIMIT = 10 * 1024;

// Temporal's blob size limit: advertised in DescribeNamespace (workers refuse larger payloads
// themselves) and enforced on completions, where an oversized payload fails the task with the
// command's cause and terminates the run.
describe('payload size limits', () => {
  let engine: EngineHandle;
  let connection: Connection;
  let native: NativeConnection;
  let client: Client;
  beforeAll(async () => {
    engine = await startEngine({ limits: parseArgs(['--dynamic-config-value', `limit.blobSize.error=${LIMIT}`]).limits });
    connection = await Connection.connect({ address: engine.address });
    native = await NativeConnection.connect({ address: engine.address });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await native?.close();
    await connection?.close();
    await engine?.stop();
  });

  it('advertises the limits in DescribeNamespace (2 MiB memo default)', async () => {
    const d = await connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(Number(d.namespaceInfo?.limits?.blobSizeLimitError)).toBe(LIMIT);
    expect(Number(d.namespaceInfo?.limits?.memoSizeLimitError)).toBe(2 * 1024 * 1024);
  });

  it('terminates a run whose command carries an oversized payload; smaller ones pass', async () => {
    const taskQueue = 'payload-limits';
    // Opted out of the worker's own check, so the oversized input reaches the engine.
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowsPath: require.resolve('./workflows/payloadLimits'),
      activities: { echo: async (text: string) => text.length },
      disablePayloadErrorLimit: true,
    });
    await worker.runUntil(async () => {
      expect(await client.workflow.execute(sendsBigPayload, { taskQueue, workflowId: 'small-payload', args: [LIMIT / 2, 'activity'] })).toBe('done');
      const big = client.workflow.execute(sendsBigPayload, { taskQueue, workflowId: 'big-payload', args: [LIMIT + 1024, 'activity'] });
      await expect(big).rejects.toBeInstanceOf(WorkflowFailedError);
      const { events } = await client.workflow.getHandle('big-payload').fetchHistory();
      const failed = events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
      expect(failed?.cause).toBe(temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
      const terminated = events?.at(-1)?.workflowExecutionTerminatedEventAttributes;
      expect(terminated?.reason).toBe('ScheduleActivityTaskCommandAttributes.Input exceeds size limit.');
      expect(events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    });
  }, 60_000);
});
