/**
 * Serves the web console (console/) at `/`. Normally as a bundle (api/console/bundle.ts): one
 * minified script and one stylesheet under `/console/assets/<name>-<hash>.<ext>`, brotli or gzip
 * as the browser accepts, cached for a year (a change makes a new name); index.html is never
 * cached. `npm start` builds the bundle in memory when the console is first asked for and again
 * when a file under console/ changed; the compiled start serves the one `npm run build` wrote.
 *
 * Without a bundle (esbuild missing, a view that does not compile: the reason is logged) the
 * source is served as is: ES modules from console/, Vue, Vue Router and Element Plus from their
 * packages' browser builds in node_modules, named by the import map in console/index.html.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { buildConsoleBundle, consoleFingerprint, readConsoleBundle, writeConsoleBundle, type ConsoleAsset, type ConsoleBundle } from './bundle';

/** The folder of an installed package (walks up from its resolved entry to its package.json). */
function packageDir(name: string): string {
  for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
  }
  throw new Error(`package ${name} not found`);
}

/** The browser builds the console imports, by the URL the import map gives them. */
function vendorFiles(): Record<string, string> {
  const vue = packageDir('vue');
  const router = packageDir('vue-router');
  const elementPlus = packageDir('element-plus');
  return {
    'vue.js': path.join(vue, 'dist/vue.esm-browser.prod.js'),
    'vue-router.js': path.join(router, 'dist/vue-router.esm-browser.js'),
    'element-plus.js': path.join(elementPlus, 'dist/index.full.min.mjs'),
    'element-plus.css': path.join(elementPlus, 'dist/index.css'),
    'element-plus-zh-cn.js': path.join(elementPlus, 'dist/locale/zh-cn.min.mjs'),
    // The supervisor's charts (issue 14): ECharts' self-contained ES module build.
    'echarts.js': path.join(packageDir('echarts'), 'dist/echarts.esm.min.mjs'),
  };
}

export const consoleDir = path.join(__dirname, '..', '..', 'console');
/** Where `npm run build` writes the bundle (dist/console-bundle; absent in the source tree). */
export const prebuiltBundleDir = path.join(__dirname, '..', '..', 'console-bundle');

export interface ConsoleOptions {
  /** Told when the bundle cannot be built (the source is served instead). */
  onBundleError?: (error: Error) => void;
}

/** One in-memory build per console folder and process, rebuilt when the folder changes. */
const builds = new Map<string, { fingerprint: string; bundle: Promise<ConsoleBundle | undefined>; pending?: boolean }>();

/**
 * Where a built bundle is kept across restarts (CONSOLE_BUNDLE_CACHE, `off`: never), keyed by the
 * console folder's fingerprint, the bundler's own code and the libraries' versions: esbuild and
 * brotli take seconds of CPU that a restart would spend beside the engine's recovery (issue 9).
 */
function bundleCacheDir(fingerprint: string): string | undefined {
  const setting = process.env.CONSOLE_BUNDLE_CACHE ?? 'node_modules/.cache/hotline-console-bundle';
  if (setting === 'off') return undefined;
  const hash = createHash('sha256').update(fingerprint);
  for (const name of ['esbuild', 'vue', 'vue-router', 'element-plus', 'echarts']) {
    hash.update(readFileSync(path.join(packageDir(name), 'package.json')));
  }
  for (const file of ['bundle.ts', 'bundle.js']) {
    const full = path.join(__dirname, file);
    if (existsSync(full)) hash.update(readFileSync(full));
  }
  // Relative to the project folder, as WORKFLOW_BUNDLE_CACHE.
  return path.resolve(__dirname, '..', '..', setting, hash.digest('hex').slice(0, 32));
}

/** Builds with esbuild and keeps the result in the cache. */
async function buildAndKeep(cacheDir: string | undefined): Promise<ConsoleBundle> {
  const bundle = await buildConsoleBundle(consoleDir);
  if (cacheDir) {
    const tmp = `${cacheDir}.${process.pid}.tmp`;
    try {
      writeConsoleBundle(bundle, tmp);
      renameSync(tmp, cacheDir);
    } catch {
      // A read-only folder (or another process's copy just renamed in place) costs only a rebuild next time.
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return bundle;
}

function currentBundle(options: ConsoleOptions): Promise<ConsoleBundle | undefined> {
  // CONSOLE_BUNDLE=0: the source modules as they are (debugging; bench:console's comparison).
  if (process.env.CONSOLE_BUNDLE === '0') return Promise.resolve(undefined);
  const prebuilt = builds.get(prebuiltBundleDir);
  if (prebuilt) return prebuilt.bundle;
  const written = readConsoleBundle(prebuiltBundleDir);
  if (written) {
    builds.set(prebuiltBundleDir, { fingerprint: '', bundle: Promise.resolve(written) });
    return Promise.resolve(written);
  }
  const fingerprint = consoleFingerprint(consoleDir);
  const known = builds.get(consoleDir);
  if (known && known.fingerprint === fingerprint) return known.bundle;
  let cacheDir: string | undefined;
  let cached: ConsoleBundle | undefined;
  try {
    cacheDir = bundleCacheDir(fingerprint);
    cached = cacheDir ? readConsoleBundle(cacheDir) : undefined;
  } catch {
    cached = undefined; // an unreadable cache entry: build afresh
  }
  const entry: { fingerprint: string; bundle: Promise<ConsoleBundle | undefined>; pending?: boolean } = { fingerprint, bundle: Promise.resolve(cached), pending: !cached };
  if (!cached) {
    entry.bundle = buildAndKeep(cacheDir)
      .catch((error: Error) => {
        options.onBundleError?.(error);
        return undefined;
      })
      .finally(() => {
        entry.pending = false;
        // esbuild keeps its service process (≈100 MiB) until told; the next build starts it again.
        if (![...builds.values()].some((b) => b.pending)) void import('esbuild').then((esbuild) => esbuild.stop()).catch(() => undefined);
      });
  }
  builds.set(consoleDir, entry);
  return entry.bundle;
}

/**
 * Starts building the bundle now (`npm start`), so the first person to open the console does not
 * wait for it; the router otherwise builds it on the first request (tests never pay for it).
 */
export function warmConsoleBundle(options: ConsoleOptions = {}): void {
  void currentBundle(options);
}

/** The asset in the encoding the request accepts (brotli, gzip, or none). */
function sendAsset(req: express.Request, res: express.Response, asset: ConsoleAsset): void {
  const accepts = req.get('accept-encoding') ?? '';
  res.vary('Accept-Encoding');
  res.set('Content-Type', asset.type);
  // The name carries the content's hash: cache it for good.
  res.set('Cache-Control', 'public, max-age=31536000, immutable');
  let body = asset.body;
  if (/\bbr\b/.test(accepts)) {
    res.set('Content-Encoding', 'br');
    body = asset.br;
  } else if (/\bgzip\b/.test(accepts)) {
    res.set('Content-Encoding', 'gzip');
    body = asset.gzip;
  }
  res.set('Content-Length', String(body.length));
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The console's router: `/` (index.html), `/console/assets/*` (the bundle), `/console/*` (its
 * modules), `/vendor/*` (libraries). A Content-Security-Policy allows only same-origin scripts,
 * the inline import map by its hash, and `unsafe-eval` because Vue's runtime template compiler
 * needs `new Function`.
 */
export function consoleRouter(options: ConsoleOptions = {}): Router {
  const router = express.Router();
  const index = readFileSync(path.join(consoleDir, 'index.html'), 'utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(index)?.[1] ?? '';
  const mapHash = createHash('sha256').update(importMap).digest('base64');
  /** Without the runtime template compiler (a bundle of precompiled templates) no eval is allowed. */
  const csp = (evalNeeded: boolean) =>
    [
      "default-src 'self'",
      `script-src 'self'${evalNeeded ? " 'unsafe-eval'" : ''} 'sha256-${mapHash}'`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ].join('; ');
  const security = (res: express.Response, evalNeeded = true) => {
    res.set('Content-Security-Policy', csp(evalNeeded));
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
  };

  router.get(['/', '/index.html'], async (_req, res) => {
    const bundle = await currentBundle(options);
    security(res, bundle ? bundle.needsEval : true);
    res.set('Cache-Control', 'no-cache').type('html').send(bundle?.index ?? index);
  });
  router.get('/console/assets/:file', async (req, res, next) => {
    const asset = (await currentBundle(options))?.assets.get(req.params.file);
    if (!asset) return next();
    security(res, false);
    sendAsset(req, res, asset);
  });
  router.use(
    '/console',
    express.static(consoleDir, {
      index: false,
      fallthrough: true,
      setHeaders: (res) => {
        security(res as express.Response);
        res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  const vendor = vendorFiles();
  router.get('/vendor/:file', (req, res, next) => {
    const file = vendor[req.params.file];
    if (!file) return next();
    res.set('X-Content-Type-Options', 'nosniff');
    res.sendFile(file, { maxAge: '1d', headers: { 'Content-Type': file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8' } });
  });
  return router;
}
