import { startHarness, uid, type Harness } from './harness';
import { countQuery, stopSignal, updatable } from './workflows/messages';

// Temporal buffers a query that arrives before the first workflow task completed and answers it
// with that task (or the next one); several at once must all be answered, none left to time out.
describe('queries right after a start', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers three concurrent queries sent before the first workflow task completes', async () => {
    const taskQueue = uid('q-at-start');
    const worker = await h.worker({ taskQueue, workflowsPath: require.resolve('./workflows/messages') });
    await worker.runUntil(async () => {
      for (let round = 0; round < 3; round++) {
        const handle = await h.client.workflow.start(updatable, { taskQueue, workflowId: uid('q-at-start') });
        const started = Date.now();
        const answers = await Promise.all([0, 1, 2].map(() => handle.query(countQuery)));
        expect(answers).toEqual([0, 0, 0]);
        expect(Date.now() - started).toBeLessThan(5_000);
        await handle.signal(stopSignal);
        await handle.result();
      }
    });
  }, 60_000);
});
