import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { parseArgs } from '../../engine/cli';
import { hello } from './workflows/basics';

describe('engine command line', () => {
  it('parses --port and the start-dev arguments the SDK passes', () => {
    expect(parseArgs(['--port', '7233'])).toMatchObject({ port: 7233, host: '127.0.0.1', clock: 'real' });
    expect(parseArgs(['server', 'start-dev', '--port', '4567', '--namespace', 'default', '--ip', '127.0.0.1', '--log-format', 'pretty', '--headless', '--db-filename', 'x.db'])).toMatchObject({
      port: 4567,
      namespaces: ['default'],
    });
    expect(parseArgs(['7777', '--clock', 'skipping'])).toMatchObject({ port: 7777, clock: 'skipping' });
    expect(parseArgs(['--search-attribute', 'Stage=Keyword', '--search-attribute', 'Due=Datetime', '--dynamic-config-value', 'a=b']).searchAttributes).toEqual({
      Stage: 'INDEXED_VALUE_TYPE_KEYWORD',
      Due: 'INDEXED_VALUE_TYPE_DATETIME',
    });
    expect(() => parseArgs(['--port', 'abc'])).toThrow(/invalid port/);
  });

  it('serves TestWorkflowEnvironment.createLocal through the dev-server launcher', async () => {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: path.resolve(__dirname, '../../engine/bin/dev-server') }, namespace: 'local-ns' },
    });
    try {
      const worker = await Worker.create({ connection: env.nativeConnection, namespace: 'local-ns', taskQueue: 'cli-q', workflowsPath: require.resolve('./workflows/basics') });
      expect(await worker.runUntil(env.client.workflow.execute(hello, { taskQueue: 'cli-q', workflowId: 'cli-hello', args: ['local'] }))).toBe('hello local');
    } finally {
      await env.teardown();
    }
  });
});
