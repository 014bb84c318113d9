import { Client } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { startHarness, type Harness } from './harness';

// Temporal checks the namespace of an activity completion before its task token, so a client
// configured with a wrong namespace learns that, not that its token is bad.
describe('async activity completion in an unknown namespace', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('answers NamespaceNotFound before looking at the token', async () => {
    const client = new Client({ connection: h.connection, namespace: 'non-existent' });
    const token = new Uint8Array([1]);
    await expect(client.activity.complete(token, 'result')).rejects.toBeInstanceOf(NamespaceNotFoundError);
    await expect(client.activity.fail(token, new Error('x'))).rejects.toBeInstanceOf(NamespaceNotFoundError);
    await expect(client.activity.reportCancellation(token)).rejects.toBeInstanceOf(NamespaceNotFoundError);
    await expect(client.activity.heartbeat(token)).rejects.toBeInstanceOf(NamespaceNotFoundError);
  });
});
