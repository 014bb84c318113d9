/**
 * Serves the web console (console/) at `/` with no build step: the browser loads ES modules
 * straight from the source folder, and Vue, Vue Router and Element Plus from their packages'
 * own browser builds in node_modules (an import map in console/index.html names them). Vue's
 * full build compiles the views' templates in the browser, so nothing is generated on disk and
 * a fresh clone's `npm ci && npm start` serves it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

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

/**
 * The console's router: `/` (index.html), `/console/*` (its modules), `/vendor/*` (libraries).
 * A Content-Security-Policy allows only same-origin scripts, the inline import map by its
 * hash, and `unsafe-eval` because Vue's runtime template compiler needs `new Function`.
 */
export function consoleRouter(): Router {
  const router = express.Router();
  const index = readFileSync(path.join(consoleDir, 'index.html'), 'utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(index)?.[1] ?? '';
  const mapHash = createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-eval' 'sha256-${mapHash}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  const security = (res: express.Response) => {
    res.set('Content-Security-Policy', csp);
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
  };

  router.get(['/', '/index.html'], (_req, res) => {
    security(res);
    res.set('Cache-Control', 'no-cache').type('html').send(index);
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
