/**
 * The console as a bundle (issue 13: the inbox's first screen in < 2 s, measured by
 * `npm run bench:console`): one script and one stylesheet with hashed names, brotli or gzip as
 * the browser accepts, cached for a year; templates compiled at build time, so the page's
 * Content-Security-Policy allows no eval; only the Element Plus components the views name.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { consoleFingerprint, elementPlusUse, precompileTemplates } from '../../api/console/bundle';
import { consoleRouter } from '../../api/console/static';

const elementPlusDir = path.dirname(require.resolve('element-plus/package.json'));

test('templates become render functions; one that is not a plain string keeps the compiler', () => {
  const source = [
    "import { ref } from 'vue';",
    'export const A = { setup: () => ({ n: ref(1) }), template: `<div class="a"><el-tag v-if="n">{{ n }}</el-tag></div>` };',
    'export const B = { template: `<p :title="t">\\`b\\`</p>` };',
  ].join('\n');
  const { code, compiledAll } = precompileTemplates(source, 'two.js');
  expect(compiledAll).toBe(true);
  expect(code).not.toMatch(/\btemplate\s*:/);
  expect(code).toMatch(/render: __render0/);
  expect(code).toMatch(/render: __render1/);
  expect(code).toMatch(/_resolveComponent\("el-tag"\)/);
  expect(code).toMatch(/_ctx\.n/);
  expect(code).toContain('`b`');
  // One import of Vue's helpers for the whole file (no duplicate declarations).
  expect(code.match(/^import \{[^}]*\} from 'vue';$/gm)).toHaveLength(2);

  const dynamic = precompileTemplates('export default { template: `<p>${"x"}</p>` };', 'dynamic.js');
  expect(dynamic.compiledAll).toBe(false);
  expect(() => precompileTemplates('export default { template: `<p v-if=">` };', 'broken.js')).toThrow(/broken\.js: template/);
});

test("a view's components are found by what it names, so a new view needs no registration list", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'console-scan-'));
  try {
    await mkdir(path.join(dir, 'views'));
    await writeFile(
      path.join(dir, 'views', 'New.js'),
      "import { ElNotification } from 'element-plus';\nexport default { template: `<el-tree-select v-loading=\"x\" /><span class=\"el-table-column__x\"/>` };\n",
    );
    const use = elementPlusUse(dir, elementPlusDir);
    expect(use.components).toEqual(expect.arrayContaining(['ElTreeSelect', 'ElNotification', 'ElLoading', 'ElTableColumn', 'ElConfigProvider']));
    expect(use.components).not.toContain('ElDatePicker');
    expect(use.everything).toBe(false);
    const before = consoleFingerprint(dir);
    await writeFile(path.join(dir, 'views', 'Other.js'), 'export default {};\n');
    expect(consoleFingerprint(dir)).not.toBe(before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('served: index.html loads the hashed bundle (no eval in its CSP), assets compressed and cached for good', async () => {
  const errors: Error[] = [];
  const app = express().use(consoleRouter({ onBundleError: (e) => errors.push(e) }));
  const index = await request(app).get('/').expect(200);
  expect(errors).toEqual([]);
  expect(index.headers['cache-control']).toBe('no-cache');
  expect(index.headers['content-security-policy']).not.toMatch(/unsafe-eval/);
  expect(index.text).not.toMatch(/importmap|\/vendor\/|\/console\/main\.js/);
  // The chunks the entry imports at once are preloaded beside it; lazily loaded screens are not.
  expect(index.text).toMatch(/<link rel="modulepreload" href="\/console\/assets\/chunk-[A-Z0-9]+\.js">/);
  const script = /src="\/console\/assets\/(main-[A-Z0-9]+\.js)"/.exec(index.text)?.[1];
  const style = /href="\/console\/assets\/(main-[A-Z0-9]+\.css)"/.exec(index.text)?.[1];
  expect(script).toBeDefined();
  expect(style).toBeDefined();

  // The bytes as sent (supertest and fetch would decompress them).
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const get = (file: string, acceptEncoding: string) =>
    new Promise<{ headers: IncomingHttpHeaders; body: Buffer; status: number }>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path: `/console/assets/${file}`, headers: { 'Accept-Encoding': acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks), status: res.statusCode ?? 0 }));
      }).on('error', reject);
    });
  try {
    const br = await get(script!, 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(br.headers['content-type']).toMatch(/^text\/javascript/);
    const js = brotliDecompressSync(br.body).toString('utf8');
    // Vue without its template compiler, Element Plus without the components no view names.
    expect(br.body.length).toBeLessThan(js.length / 2);
    expect(js.length).toBeLessThan(900 * 1024);
    expect(js).not.toMatch(/el-date-picker-panel__sidebar|ElColorPicker|el-tree-node__content/);
    const gz = await get(style!, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    const css = gunzipSync(gz.body).toString('utf8');
    expect(css).toContain('.el-table');
    expect(css).not.toContain('.el-color-picker');
    const plain = await get(style!, 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(css);
  } finally {
    server.close();
  }
  await request(app).get('/console/assets/main-NOSUCHFILE.js').expect(404);
}, 180_000);

test('a restart reuses the bundle kept in CONSOLE_BUNDLE_CACHE without running esbuild (issue 9: start-up CPU)', async () => {
  const cache = await mkdtemp(path.join(os.tmpdir(), 'console-cache-'));
  const previous = process.env.CONSOLE_BUNDLE_CACHE;
  process.env.CONSOLE_BUNDLE_CACHE = cache;
  const indexOf = async (router: typeof consoleRouter, errors: Error[]) =>
    (await request(express().use(router({ onBundleError: (e) => errors.push(e) }))).get('/')).text;
  try {
    const errors: Error[] = [];
    let first = '';
    await jest.isolateModulesAsync(async () => {
      first = await indexOf((await import('../../api/console/static')).consoleRouter, errors);
    });
    expect(errors).toEqual([]);
    expect(first).toMatch(/src="\/console\/assets\/main-[A-Z0-9]+\.js"/);
    // A fresh process (a fresh module registry) whose esbuild would fail: the kept bundle is served.
    let second = '';
    await jest.isolateModulesAsync(async () => {
      jest.doMock('esbuild', () => ({ build: () => Promise.reject(new Error('esbuild ran')), stop: () => Promise.resolve() }));
      second = await indexOf((await import('../../api/console/static')).consoleRouter, errors);
    });
    expect(errors).toEqual([]);
    expect(second).toBe(first);
  } finally {
    if (previous === undefined) delete process.env.CONSOLE_BUNDLE_CACHE;
    else process.env.CONSOLE_BUNDLE_CACHE = previous;
    jest.dontMock('esbuild');
    await rm(cache, { recursive: true, force: true });
  }
});
