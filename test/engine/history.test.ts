import { startHarness, uid, type Harness } from './harness';

describe('GetWorkflowExecutionHistory: paging, reverse, long poll', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());
  const svc = () => h.connection.workflowService;

  const startWithSignals = async (n: number) => {
    const workflowId = uid('hist');
    await svc().startWorkflowExecution({ namespace: 'default', workflowId, workflowType: { name: 'x' }, taskQueue: { name: uid('q') }, requestId: uid('r') });
    for (let i = 0; i < n; i++) await svc().signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: `s${i}` });
    return workflowId;
  };

  it('pages forward with nextPageToken', async () => {
    const workflowId = await startWithSignals(23);
    const ids: number[] = [];
    let token: Uint8Array | undefined;
    let pages = 0;
    do {
      const res = await svc().getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId }, maximumPageSize: 10, nextPageToken: token });
      ids.push(...res.history!.events!.map((e) => Number(e.eventId)));
      token = res.nextPageToken?.length ? res.nextPageToken : undefined;
      pages++;
    } while (token);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(pages).toBe(3);
  });

  it('pages in reverse', async () => {
    const workflowId = await startWithSignals(5);
    const res = await svc().getWorkflowExecutionHistoryReverse({ namespace: 'default', execution: { workflowId }, maximumPageSize: 4 });
    expect(res.history!.events!.map((e) => Number(e.eventId))).toEqual([7, 6, 5, 4]);
    const next = await svc().getWorkflowExecutionHistoryReverse({ namespace: 'default', execution: { workflowId }, maximumPageSize: 4, nextPageToken: res.nextPageToken });
    expect(next.history!.events!.map((e) => Number(e.eventId))).toEqual([3, 2, 1]);
    expect(next.nextPageToken?.length ?? 0).toBe(0);
  });

  it('long-polls for new events and for the close event', async () => {
    const workflowId = await startWithSignals(0);
    const first = await svc().getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
    expect(first.history!.events).toHaveLength(2);
    const waitingNew = svc().getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId }, waitNewEvent: true, nextPageToken: first.nextPageToken?.length ? first.nextPageToken : Buffer.from(JSON.stringify({ next: 3 })) });
    const waitingClose = svc().getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId }, waitNewEvent: true, historyEventFilterType: 2 });
    await new Promise((r) => setTimeout(r, 100));
    await svc().signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'late' });
    const got = await waitingNew;
    expect(got.history!.events!.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toEqual(['late']);
    await svc().terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, reason: 'done' });
    const close = await waitingClose;
    expect(close.history!.events).toHaveLength(1);
    expect(close.history!.events![0].workflowExecutionTerminatedEventAttributes?.reason).toBe('done');
  });
});
