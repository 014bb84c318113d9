import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';

/** The engine's launcher that speaks the SDK test-server contract (`<path> [port]`). */
export const ENGINE_TEST_SERVER = path.resolve(__dirname, '../../engine/bin/test-server');

/**
 * A time-skipping {@link TestWorkflowEnvironment} backed by our engine (no download, no Java).
 * Use it like `TestWorkflowEnvironment.createTimeSkipping()`: `env.client`, `env.nativeConnection`,
 * `env.sleep(...)`, and `await env.teardown()` at the end.
 *
 * @example
 * ```ts
 * const env = await createTimeSkippingEnv();
 * const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'q', workflowsPath });
 * await worker.runUntil(env.client.workflow.execute(myWorkflow, { taskQueue: 'q', workflowId: 'id' }));
 * await env.teardown();
 * ```
 */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: ENGINE_TEST_SERVER } },
  });
}
