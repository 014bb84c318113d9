/**
 * The console's production bundle, built with esbuild from the same ES modules that
 * `console/index.html` loads one by one: one minified script (Vue's production build, Vue Router,
 * the console's modules, and only the Element Plus components the views use) and one stylesheet
 * (only those components' styles), with hashed names, compressed once (brotli and gzip).
 *
 * Why (issue 13: the inbox's first screen in < 2 s): loaded as is, the browser fetched 37 files
 * (1.6 MiB) and evaluated the whole of Element Plus (900 KiB minified, ~80 components) and its
 * 355 KiB stylesheet before the first row; most of the time went into evaluating that script.
 *
 * Nothing is committed: `npm start` builds it in memory the first time the console is asked for
 * (and again when a file under console/ changes), `npm run build` writes it into
 * `dist/console-bundle/` for the compiled start (whose image has no esbuild). Source views keep
 * the import style of console/index.html's import map (`vue`, `vue-router`, `element-plus`,
 * `element-plus/zh-cn`); a bare import of another installed package is bundled from node_modules.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

export interface ConsoleAsset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
}

export interface ConsoleBundle {
  /** index.html rewritten to load the bundle (no import map, no module-by-module preloads). */
  index: string;
  /** Hashed file name (under `/console/assets/`) → contents. */
  assets: Map<string, ConsoleAsset>;
  /** Some template is compiled in the browser (the Content-Security-Policy must allow eval). */
  needsEval: boolean;
}

/** The bare specifiers of console/index.html's import map that are not packages of that name. */
function aliases(consoleDir: string, elementPlusDir: string, compilerNeeded: boolean): Record<string, string> {
  return {
    // Vue without its template compiler unless a template could not be compiled here.
    vue: require.resolve(compilerNeeded ? 'vue/dist/vue.esm-bundler.js' : 'vue/dist/vue.runtime.esm-bundler.js'),
    'element-plus/zh-cn': path.join(elementPlusDir, 'es/locale/lang/zh-cn.mjs'),
    '@vue/devtools-api': path.join(consoleDir, 'shims/devtools-api.js'),
  };
}

/** The import map's names the bundle contains; any other name in the map is loaded by its URL. */
const bundledLibraries = ['vue', 'vue-router', 'element-plus', 'element-plus/zh-cn', '@vue/devtools-api'];

const kebab = (pascal: string) => pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const pascal = (kebabName: string) => kebabName.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

/** Every .js file under a folder. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.js')) out.push(full);
  }
  return out;
}

/** Element Plus's components by export name (`ElTableColumn`) → their folder under es/components (`table`). */
function elementPlusComponentDirs(elementPlusDir: string): Map<string, string> {
  const dirs = new Map<string, string>();
  const root = path.join(elementPlusDir, 'es/components');
  for (const dir of readdirSync(root)) {
    const index = path.join(root, dir, 'index.mjs');
    if (!existsSync(index)) continue;
    for (const list of readFileSync(index, 'utf8').matchAll(/export\s*\{([^}]*)\}/g)) {
      for (const item of list[1].split(',')) {
        const name = item.trim().split(/\s+as\s+/).pop()!;
        if (/^El[A-Z]/.test(name) && !dirs.has(name)) dirs.set(name, dir);
      }
    }
  }
  return dirs;
}

interface ElementPlusUse {
  /** Components named in templates or code (`<el-table`, `el-table-column`, `ElMessage`, `v-loading`). */
  components: string[];
  /** Other names imported from 'element-plus' (taken from its full entry). */
  others: string[];
  /** Some file imports the whole namespace (`import * as`): nothing can be left out. */
  everything: boolean;
}

/**
 * What the console's files use of Element Plus. Scanning the text, not an import list, keeps any
 * new view working unchanged: its templates name the components it uses.
 */
export function elementPlusUse(consoleDir: string, elementPlusDir: string): ElementPlusUse {
  const dirs = elementPlusComponentDirs(elementPlusDir);
  const named = new Set<string>(['ElConfigProvider']);
  const others = new Set<string>();
  let everything = false;
  for (const file of sourceFiles(consoleDir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bel-([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/g)) named.add(`El${pascal(m[1])}`);
    for (const m of text.matchAll(/\b(El[A-Z][A-Za-z0-9]*)\b/g)) named.add(m[1]);
    if (/\bv-loading\b/.test(text)) named.add('ElLoading');
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]element-plus['"]/g)) {
      for (const item of m[1].split(',')) {
        const name = item.trim().split(/\s+as\s+/)[0];
        if (name && !dirs.has(name)) others.add(name);
      }
    }
    if (/(import|export)\s*\*\s*(as\s+\w+\s*)?from\s*['"]element-plus['"]/.test(text)) everything = true;
  }
  // A hyphenated class such as `el-table-column__cell` or `el-form-item--error` may name a
  // component and more: the longest prefix that is one.
  const components = new Set<string>();
  for (const name of named) {
    const parts = kebab(name.slice(2)).split('-');
    for (let n = parts.length; n > 0; n--) {
      const candidate = `El${pascal(parts.slice(0, n).join('-'))}`;
      if (dirs.has(candidate)) {
        components.add(candidate);
        break;
      }
    }
  }
  return { components: [...components].sort(), others: [...others].sort(), everything };
}

/** Element Plus's directives and services (v-loading, ElMessage, ...): always installed, as its full build does. */
const elementPlusPlugins = ['ElInfiniteScroll', 'ElLoading', 'ElMessage', 'ElMessageBox', 'ElNotification', 'ElPopoverDirective'];

/**
 * The module every console file gets for `'element-plus'`: each used component from its own
 * module (the package's main entry evaluates every component: nothing of it could be left out),
 * their styles, and as default export an installer of just those (main.js's `app.use`).
 */
function elementPlusModule(use: ElementPlusUse, elementPlusDir: string): string {
  const dirs = elementPlusComponentDirs(elementPlusDir);
  const all = [...new Set([...use.components, ...elementPlusPlugins])].filter((name) => dirs.has(name));
  const lines = ["import { makeInstaller } from 'element-plus/es/make-installer.mjs';", "import 'element-plus/es/components/base/style/css.mjs';"];
  const byDir = new Map<string, string[]>();
  for (const name of all) byDir.set(dirs.get(name)!, [...(byDir.get(dirs.get(name)!) ?? []), name]);
  for (const [dir, names] of byDir) {
    lines.push(`import { ${names.join(', ')} } from 'element-plus/es/components/${dir}/index.mjs';`);
    lines.push(`export { ${names.join(', ')} };`);
    if (existsSync(path.join(elementPlusDir, 'es/components', dir, 'style/css.mjs'))) lines.push(`import 'element-plus/es/components/${dir}/style/css.mjs';`);
  }
  if (use.everything) lines.push("export * from 'element-plus/es/index.mjs';");
  else if (use.others.length) lines.push(`export { ${use.others.join(', ')} } from 'element-plus/es/index.mjs';`);
  lines.push(`export default makeInstaller([${all.join(', ')}]);`);
  return lines.join('\n');
}

/**
 * A console module with its components' `template:` strings compiled to render functions (Vue's
 * own compiler, as a build of single-file components does), so the browser needs neither Vue's
 * template compiler nor `eval`. A template it cannot see as a plain string (built with `${}`, or
 * not a literal) stays as it is and keeps Vue's compiler in the bundle.
 */
export function precompileTemplates(source: string, file: string): { code: string; compiledAll: boolean } {
  // Vue's own compiler, the version the installed Vue runs.
  const { compile } = require(require.resolve('@vue/compiler-dom', { paths: [path.dirname(require.resolve('vue/package.json'))] })) as typeof import('@vue/compiler-dom');
  const imports = new Map<string, string>();
  const functions: string[] = [];
  let n = 0;
  let code = source.replace(/\btemplate:\s*`((?:[^`\\$]|\\.|\$(?!\{))*)`/g, (_whole, raw: string) => {
    const template = raw.replace(/\\([`\\$])/g, '$1');
    const out = compile(template, {
      mode: 'module',
      prefixIdentifiers: true,
      hoistStatic: true,
      cacheHandlers: true,
      onError: (error) => {
        throw new Error(`${file}: template: ${error.message}`);
      },
    });
    const id = n++;
    const body = out.code.replace(/^import \{([^}]*)\} from "vue"\n?/m, (_m, list: string) => {
      for (const item of list.split(',')) {
        const [name, alias] = item.trim().split(/\s+as\s+/);
        if (name) imports.set(alias ?? name, name);
      }
      return '';
    });
    functions.push(body.replace(/\b_hoisted_(\d+)/g, `_hoisted${id}_$1`).replace(/export function render\(/, `function __render${id}(`));
    return `render: __render${id}`;
  });
  if (n > 0) {
    const list = [...imports].map(([alias, name]) => `${name} as ${alias}`).join(', ');
    code = `import { ${list} } from 'vue';\n${code}\n${functions.join('\n')}\n`;
  }
  return { code, compiledAll: !/\btemplate\s*:/.test(code) };
}

/** A fingerprint of console/ (names, sizes, modification times): a rebuild when it changes. */
export function consoleFingerprint(consoleDir: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const s = statSync(full);
        hash.update(`${full}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(consoleDir);
  return hash.digest('hex');
}

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

async function compressed(type: string, body: Buffer): Promise<ConsoleAsset> {
  const [br, gz] = await Promise.all([
    promisify(brotliCompress)(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    promisify(gzip)(body, { level: 9 }),
  ]);
  return { type, body, gzip: gz, br };
}

/** index.html loading the bundle instead of the import map and the modules one by one. */
function bundledIndex(sourceIndex: string, script: string, style: string, preload: string[]): string {
  const preloads = preload.map((name) => `<link rel="modulepreload" href="/console/assets/${name}">\n`).join('');
  return sourceIndex
    .replace(/<script type="importmap">[\s\S]*?<\/script>\n?/, '')
    .replace(/<!--[^>]*-->\n?/g, '')
    .replace(/<link rel="modulepreload"[^>]*>\n?/g, '')
    .replace(/<link rel="stylesheet" href="\/vendor\/element-plus\.css">\n?/, style ? `<link rel="stylesheet" href="/console/assets/${style}">\n` : '')
    .replace(/<script type="module" src="\/console\/main\.js"><\/script>/, `${preloads}<script type="module" src="/console/assets/${script}"></script>`);
}

/**
 * Builds the bundle in memory.
 *
 * @throws when esbuild is not installed (a production install: use `npm run build`) or a
 *   console file does not compile (the message names file and line)
 */
export async function buildConsoleBundle(consoleDir: string): Promise<ConsoleBundle> {
  const esbuild = await import('esbuild');
  const elementPlusDir = path.dirname(require.resolve('element-plus/package.json'));
  const elementPlus = elementPlusModule(elementPlusUse(consoleDir, elementPlusDir), elementPlusDir);
  const compiled = new Map<string, string>();
  let compilerNeeded = false;
  for (const file of sourceFiles(consoleDir)) {
    const { code, compiledAll } = precompileTemplates(readFileSync(file, 'utf8'), path.relative(consoleDir, file));
    compiled.set(file, code);
    if (!compiledAll) compilerNeeded = true;
  }
  const alias = aliases(consoleDir, elementPlusDir, compilerNeeded);
  // Libraries the import map names beyond the core ones (e.g. `echarts` for the supervisor's
  // charts) stay where the map puts them: loaded by that URL when a lazily loaded screen first
  // imports them, the same module instance as without a bundle.
  const sourceIndex = readFileSync(path.join(consoleDir, 'index.html'), 'utf8');
  const importMap = (JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(sourceIndex)?.[1] ?? '{}') as { imports?: Record<string, string> }).imports ?? {};
  const byUrl = Object.fromEntries(Object.entries(importMap).filter(([name]) => !bundledLibraries.includes(name)));
  const result = await esbuild.build({
    entryPoints: { main: path.join(consoleDir, 'main.js') },
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    outdir: '/console-bundle',
    // A view loaded with import() (the supervisor's screens and ECharts) is its own file, fetched
    // when first opened: a unit clerk's first screen never downloads it.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'console-import-map',
        setup(build) {
          // `'element-plus'`: only what the console uses (main.js's `app.use` installs just that).
          build.onResolve({ filter: /^element-plus$/ }, () => ({ path: 'element-plus', namespace: 'console' }));
          build.onLoad({ filter: /.*/, namespace: 'console' }, () => ({ contents: elementPlus, loader: 'js', resolveDir: consoleDir }));
          build.onResolve({ filter: /^(vue|element-plus\/zh-cn|@vue\/devtools-api)$/ }, (args) => ({ path: alias[args.path] }));
          build.onResolve({ filter: /^[^./]/ }, (args) => (byUrl[args.path] && !args.importer.includes('node_modules') ? { path: byUrl[args.path], external: true } : undefined));
          build.onLoad({ filter: /\.js$/ }, (args) => (compiled.has(args.path) ? { contents: compiled.get(args.path), loader: 'js' } : undefined));
        },
      },
    ],
  });
  if (process.env.CONSOLE_BUNDLE_ANALYZE) process.stdout.write(await esbuild.analyzeMetafile(result.metafile));
  // The entry script, its stylesheet, and the chunks it imports at once (preloaded with it).
  const outputs = Object.entries(result.metafile.outputs);
  const [entryPath, entry] = outputs.find(([, o]) => o.entryPoint && path.basename(o.entryPoint) === 'main.js') ?? [];
  if (!entryPath || !entry) throw new Error('esbuild produced no entry script for console/main.js');
  const script = path.basename(entryPath);
  const style = entry.cssBundle ? path.basename(entry.cssBundle) : '';
  const preload = entry.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => path.basename(i.path));
  const assets = new Map<string, ConsoleAsset>();
  await Promise.all(
    result.outputFiles.map(async (file) => {
      const name = path.basename(file.path);
      assets.set(name, await compressed(types[path.extname(name)] ?? 'application/octet-stream', Buffer.from(file.contents)));
    }),
  );
  return { index: bundledIndex(sourceIndex, script, style, preload), assets, needsEval: compilerNeeded };
}

/** Writes a bundle (npm run build): index.html, each asset and its .br/.gz, a manifest. */
export function writeConsoleBundle(bundle: ConsoleBundle, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), bundle.index);
  const manifest: { needsEval: boolean; assets: Record<string, string> } = { needsEval: bundle.needsEval, assets: {} };
  for (const [name, asset] of bundle.assets) {
    writeFileSync(path.join(dir, name), asset.body);
    writeFileSync(path.join(dir, `${name}.br`), asset.br);
    writeFileSync(path.join(dir, `${name}.gz`), asset.gzip);
    manifest.assets[name] = asset.type;
  }
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads a bundle written by writeConsoleBundle, or undefined when there is none. */
export function readConsoleBundle(dir: string): ConsoleBundle | undefined {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { needsEval: boolean; assets: Record<string, string> };
  const assets = new Map<string, ConsoleAsset>();
  for (const [name, type] of Object.entries(manifest.assets)) {
    const file = path.join(dir, name);
    assets.set(name, { type, body: readFileSync(file), br: readFileSync(`${file}.br`), gzip: readFileSync(`${file}.gz`) });
  }
  return { index: readFileSync(path.join(dir, 'index.html'), 'utf8'), assets, needsEval: manifest.needsEval };
}
