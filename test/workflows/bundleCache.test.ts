/**
 * The prebuilt workflow bundle is reused across starts while the workflow code is unchanged
 * (worker/bundleCache.ts), so a restart does not spend its time in webpack.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cachedWorkflowBundle, workflowBundleKey } from '../../worker/bundleCache';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bundle-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the first start builds and stores the bundle; the next one reads it without building', async () => {
  let builds = 0;
  const build = async () => ({ code: `/* bundle ${++builds} */` });
  const first = await cachedWorkflowBundle(dir, build);
  expect(first).toEqual({ bundle: { code: '/* bundle 1 */' }, hit: false });
  const second = await cachedWorkflowBundle(dir, build);
  expect(second).toEqual({ bundle: { code: '/* bundle 1 */' }, hit: true });
  expect(builds).toBe(1);
  expect(await readdir(dir)).toEqual([`workflows-${await workflowBundleKey()}.js`]);
});

test('the key is stable for the same code', async () => {
  expect(await workflowBundleKey()).toBe(await workflowBundleKey());
  expect(await workflowBundleKey()).toMatch(/^[0-9a-f]{32}$/);
});
