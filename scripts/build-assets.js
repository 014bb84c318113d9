// Second half of `npm run build` (after tsc): copies what tsc does not emit (SQL migrations, the
// .mjs helpers run as child processes, the engine's launchers, the web console served as is) into dist/, and pre-bundles the
// workflow code (webpack, once, here) into dist/workflow-bundle.js and the web console (esbuild)
// into dist/console-bundle/, so a compiled start needs neither ts-node, webpack nor esbuild.
// Plain JavaScript: it runs without dev tooling.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

for (const asset of ['db/migrations', 'db/migrate-runner.mjs', 'db/embedded/postgres-server.mjs', 'engine/bin', 'console', 'worker/workflowThreadWithoutWatchdog.js', 'worker/workflowThreadActivationWatchdog.js', 'worker/workflowThreadWithoutStackTraces.js']) {
  const from = path.join(root, asset);
  if (fs.existsSync(from)) fs.cpSync(from, path.join(dist, asset), { recursive: true });
}

async function main() {
  const { bundleWorkflowCode } = require('@temporalio/worker');
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
  // The same preload as worker/createWorker.ts (workflows/preload.ts: the sandbox's stack depth,
  // ~28 % of the workflow thread without it).
  const preloadModules = [path.join(dist, 'workflows/preload.js')];
  // And the same payload converter (workflows/payloadConverter.ts: native UTF-8 coding).
  const payloadConverterPath = path.join(dist, 'workflows/payloadConverter.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(dist, 'workflows'), preloadModules, payloadConverterPath, logger: quiet });
  fs.writeFileSync(path.join(dist, 'workflow-bundle.js'), code);
  process.stdout.write(`dist/workflow-bundle.js: ${(code.length / 1024).toFixed(0)} KiB\n`);
  const { buildConsoleBundle, writeConsoleBundle } = require(path.join(dist, 'api/console/bundle.js'));
  const bundle = await buildConsoleBundle(path.join(dist, 'console'));
  writeConsoleBundle(bundle, path.join(dist, 'console-bundle'));
  for (const [name, asset] of bundle.assets) {
    process.stdout.write(`dist/console-bundle/${name}: ${(asset.body.length / 1024).toFixed(0)} KiB (brotli ${(asset.br.length / 1024).toFixed(0)} KiB)\n`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
