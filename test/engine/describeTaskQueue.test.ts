/**
 * DescribeTaskQueue lists a queue's poller while a poll waits and for `pollerHistoryMs` after its
 * last poll (EngineOptions; Temporal keeps pollers 5 minutes, this engine 60 s by default): what
 * the API's /readyz reads to tell whether a worker serves the work-order queue.
 */
import { Connection } from '@temporalio/client';
import { startEngine, type EngineHandle } from '../../engine';

const engines: EngineHandle[] = [];
const connections: Connection[] = [];
afterAll(async () => {
  for (const c of connections) await c.close();
  for (const e of engines) await e.stop();
});

async function engineWith(pollerHistoryMs?: number): Promise<Connection> {
  const engine = await startEngine(pollerHistoryMs === undefined ? {} : { pollerHistoryMs });
  engines.push(engine);
  const connection = await Connection.connect({ address: engine.address });
  connections.push(connection);
  return connection;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One poll that answers at once, empty (its deadline leaves no time to wait). */
async function pollOnce(connection: Connection, taskQueue: string): Promise<void> {
  await connection.withDeadline(Date.now() + 500, () =>
    connection.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'test' }),
  );
}

async function pollers(connection: Connection, taskQueue: string): Promise<number> {
  const res = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
  return res.pollers?.length ?? 0;
}

test('a poller is listed after its poll for pollerHistoryMs, then no longer', async () => {
  const connection = await engineWith(3_000);
  expect(await pollers(connection, 'describe-short')).toBe(0);
  await pollOnce(connection, 'describe-short');
  expect(await pollers(connection, 'describe-short')).toBe(1);
  await sleep(3_500);
  expect(await pollers(connection, 'describe-short')).toBe(0);
});

test('a poll waiting now counts whatever the window; the default window is longer than a few seconds', async () => {
  const short = await engineWith(1);
  const waiting = short.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: 'describe-waiting' }, identity: 'test' });
  waiting.catch(() => undefined);
  // Let the poll reach the engine and wait there.
  let listed = 0;
  for (let i = 0; i < 50 && listed === 0; i++) {
    await sleep(20);
    listed = await pollers(short, 'describe-waiting');
  }
  expect(listed).toBe(1);

  const byDefault = await engineWith();
  await pollOnce(byDefault, 'describe-default');
  await sleep(3_500);
  expect(await pollers(byDefault, 'describe-default')).toBe(1);
});
