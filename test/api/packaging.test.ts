/**
 * The packaging that cannot run here (no Docker engine) is kept honest by reading it:
 * docker-compose.yml parses, has every service the README names, wires the API and the worker to
 * the Temporal and PostgreSQL services with a configuration the start script accepts; the README
 * documents every configuration variable.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../api/config';

const root = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string; build?: string; environment?: Record<string, string>; depends_on?: Record<string, unknown>; command?: unknown }>;
};
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** `${VAR:-default}` → default (what compose substitutes with no .env). */
const substitute = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

test('every service the README names is in docker-compose.yml, and the reverse', () => {
  const section = readme.slice(readme.indexOf('`docker-compose.yml` runs'), readme.indexOf('## Folders'));
  const named = [...section.matchAll(/^- `([a-z0-9-]+)` —/gm)].map((m) => m[1]);
  expect(named.length).toBeGreaterThanOrEqual(5);
  expect(Object.keys(compose.services).sort()).toEqual([...named].sort());
  for (const required of ['postgresql', 'temporal', 'temporal-ui', 'api', 'worker']) expect(named).toContain(required);
});

test('Temporal runs on PostgreSQL; the UI and the app point at it', () => {
  const temporal = compose.services.temporal;
  expect(temporal.image).toMatch(/^temporalio\/(server|auto-setup):/);
  expect(temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  expect(Object.keys(temporal.depends_on ?? {})).toContain('temporal-schema');
  expect(compose.services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  expect(compose.services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(compose.services.postgresql.image).toMatch(/^postgres:\d+/);
});

test.each(['api', 'worker'])('%s is built from the Dockerfile with a configuration the start script accepts', (name) => {
  const service = compose.services[name];
  expect(service.build).toBe('.');
  const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, substitute(String(v))]));
  for (const key of Object.keys(env)) expect(Object.keys(configSchema.shape)).toContain(key);
  const config = loadConfig(env);
  expect(config.SERVICES).toEqual([name]);
  expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(new URL(config.DATABASE_URL!).hostname).toBe('postgresql');
  expect(Object.keys(service.depends_on ?? {})).toEqual(expect.arrayContaining(['postgresql', 'temporal-namespace']));
});

test('the Dockerfile runs the compiled build on a supported Node LTS without dev dependencies', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  expect(cmd).not.toBeNull();
  const argv = JSON.parse(cmd![1]) as string[];
  expect(argv).toEqual(['node', 'dist/scripts/start.js']);
  expect(dockerfile.split('\n').filter((l) => !l.startsWith('#')).join('\n')).not.toMatch(/ts-node/);
  expect(dockerfile).toMatch(/npm run build/);
  expect(dockerfile).toMatch(/npm ci --omit=dev/);
  // The runtime stage (the last FROM) is Node 22 or later (20 is out of support).
  const froms = [...dockerfile.matchAll(/^FROM node:(\d+)/gm)].map((m) => Number(m[1]));
  expect(froms.at(-1)).toBeGreaterThanOrEqual(22);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.build).toContain('tsconfig.build.json');
  expect(existsSync(path.join(root, 'scripts/start.ts'))).toBe(true);
});

test('Temporal is not published beyond the compose network; the UI only on localhost', () => {
  const all = compose as unknown as { services: Record<string, { ports?: string[]; healthcheck?: { test: string[] }; environment?: Record<string, string> }> };
  expect(all.services.temporal.ports ?? []).toEqual([]);
  for (const mapping of all.services['temporal-ui'].ports ?? []) expect(mapping).toMatch(/^127\.0\.0\.1:/);
  expect(all.services['temporal-ui'].environment?.TEMPORAL_CODEC_ENDPOINT).toMatch(/\/codec$/);
  // Health: the API on /readyz, the worker on its metrics port's /readyz.
  expect(all.services.api.healthcheck?.test.join(' ')).toContain('/readyz');
  expect(all.services.worker.healthcheck?.test.join(' ')).toContain('/readyz');
  // No demo data in the cluster deployment; the two processes share one payload key file.
  for (const name of ['api', 'worker']) {
    expect(all.services[name].environment?.SEED_DEMO).toBeUndefined();
    expect(all.services[name].environment?.PAYLOAD_KEY_FILE).toBe('/keys/payload-keys');
  }
});

test('the README documents every configuration variable and the two commands', () => {
  const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  expect(documented.sort()).toEqual(Object.keys(configSchema.shape).sort());
  expect(readme).toContain('npm start');
  expect(readme).toContain('npm test');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.start).toContain('scripts/start.ts');
  expect(pkg.scripts.test).toMatch(/npm run -s test:shared && npm run -s test:alone$/);
});

test('npm test runs every test file: the ones left out of the shared run are exactly the ones run alone', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const shared = pkg.scripts['test:shared'];
  expect(shared).toMatch(/^jest --maxWorkers=2 /);
  const ignored = new RegExp(/--testPathIgnorePatterns='([^']+)'/.exec(shared)![1]);
  const alone = pkg.scripts['test:alone'].replace(/^jest --runInBand /, '').split(' ');
  const testFiles = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : [],
    );
  const all = testFiles('test');
  expect(all.length).toBeGreaterThan(50);
  expect(all.filter((f) => ignored.test(f)).sort()).toEqual([...alone].sort());
});
