/**
 * A prebuilt workflow bundle reused across restarts: webpack takes 7–20 s of a start on a
 * loaded 2-core machine (issue 9). The bundle is stored under a key made of the workflow
 * sources (every file of workflows/ and domain/, which is all the bundle may import:
 * test/workflows/bundle.test.ts), the SDK's version and Node's version; any change makes a new
 * key, so a stale bundle is never used.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['workflows', 'domain'];

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(full)));
    else if (/\.(ts|js|json)$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** The cache key of the current workflow code. */
export async function workflowBundleKey(): Promise<string> {
  const hash = createHash('sha256');
  const sdk = JSON.parse(await readFile(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string };
  hash.update(`sdk ${sdk.version}\nnode ${process.version}\n`);
  for (const dir of SOURCE_DIRS) {
    for (const file of await sourceFiles(path.join(ROOT, dir))) {
      hash.update(path.relative(ROOT, file));
      hash.update('\0');
      hash.update(await readFile(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * The workflow bundle from `cacheDir` when one was built for this code, else `build()`'s,
 * stored there (atomically) for the next start.
 *
 * @returns the bundle and whether it came from the cache
 */
export async function cachedWorkflowBundle(
  cacheDir: string,
  build: () => Promise<WorkflowBundle>,
): Promise<{ bundle: WorkflowBundle; hit: boolean }> {
  const dir = path.resolve(ROOT, cacheDir);
  const file = path.join(dir, `workflows-${await workflowBundleKey()}.js`);
  try {
    if ((await stat(file)).size > 0) return { bundle: { code: await readFile(file, 'utf8') }, hit: true };
  } catch {
    /* not built yet */
  }
  const bundle = await build();
  try {
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, bundle.code);
    await rename(tmp, file);
  } catch {
    // A read-only folder only costs the next start its webpack run.
  }
  return { bundle, hit: false };
}
