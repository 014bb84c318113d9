import { startEngine, type ClockOption } from './index';

const SA_TYPES: Record<string, string> = {
  keyword: 'INDEXED_VALUE_TYPE_KEYWORD',
  text: 'INDEXED_VALUE_TYPE_TEXT',
  int: 'INDEXED_VALUE_TYPE_INT',
  double: 'INDEXED_VALUE_TYPE_DOUBLE',
  bool: 'INDEXED_VALUE_TYPE_BOOL',
  datetime: 'INDEXED_VALUE_TYPE_DATETIME',
  keywordlist: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
};

/**
 * Command line: `npm run engine -- --port 7233 [--host 0.0.0.0] [--namespace ns] [--clock real|skipping|manual] [--database-url postgres://... [--lock-wait-ms 5000]]`.
 * Also accepts what the SDK passes to its servers:
 *  - `server start-dev --port P --namespace NS --ip HOST --headless ...` (TestWorkflowEnvironment.createLocal)
 *  - a bare `[port]` (the time-skipping test server; used with `--clock skipping` by engine/bin/test-server).
 */
export function parseArgs(argv: string[]): {
  port: number;
  host: string;
  namespaces: string[];
  clock: ClockOption;
  databaseUrl?: string;
  /** How long to wait for another engine's lock on the database before refusing to start. */
  lockWaitMs?: number;
  searchAttributes: Record<string, string>;
  /** Payload limits from `--dynamic-config-value limit.blobSize.error=N` / `limit.memoSize.error=N`. */
  limits: { blobSizeError?: number; memoSizeError?: number };
} {
  const args = [...argv];
  if (args[0] === 'server' && args[1] === 'start-dev') args.splice(0, 2);
  let port = 7233;
  let host = '127.0.0.1';
  let clock: ClockOption = 'real';
  const namespaces: string[] = [];
  let databaseUrl: string | undefined;
  let lockWaitMs: number | undefined;
  const searchAttributes: Record<string, string> = {};
  const limits: { blobSizeError?: number; memoSizeError?: number } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--port':
      case '-p':
        port = Number(value());
        break;
      case '--ip':
      case '--host':
        host = value();
        break;
      case '--namespace':
      case '-n':
        namespaces.push(value());
        break;
      case '--clock': {
        const c = value();
        clock = c === 'manual' ? { kind: 'manual' } : c === 'skipping' ? 'skipping' : 'real';
        break;
      }
      case '--search-attribute': {
        // `name=Type` as `temporal server start-dev` takes it (Keyword, Text, Int, Double, Bool, Datetime, KeywordList).
        const [name, type] = value().split('=');
        const t = SA_TYPES[(type ?? '').toLowerCase()];
        if (!name || !t) throw new Error(`invalid --search-attribute ${name}=${type}`);
        searchAttributes[name] = t;
        break;
      }
      case '--database-url':
        databaseUrl = value();
        break;
      case '--lock-wait-ms':
        lockWaitMs = Number(value());
        if (!Number.isInteger(lockWaitMs) || lockWaitMs < 0) throw new Error(`invalid --lock-wait-ms ${lockWaitMs}`);
        break;
      case '--dynamic-config-value': {
        // Temporal dynamic config `key=value`; only the payload limits mean something here.
        const [key, raw] = value().split(/=(.*)/s);
        const n = Number(String(raw ?? '').replace(/^"|"$/g, ''));
        if (key === 'limit.blobSize.error' || key === 'limit.memoSize.error') {
          if (!Number.isInteger(n) || n <= 0) throw new Error(`invalid --dynamic-config-value ${key}=${raw}`);
          limits[key === 'limit.blobSize.error' ? 'blobSizeError' : 'memoSizeError'] = n;
        }
        break;
      }
      case '--headless':
        break;
      default:
        if (/^\d+$/.test(a) && i === 0) port = Number(a);
        else if (flag.startsWith('--') && inline === undefined && args[i + 1] !== undefined && !args[i + 1].startsWith('-')) i++; // ignore unknown --flag value (dev-server options)
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  return { port, host, namespaces, clock, databaseUrl, lockWaitMs, searchAttributes, limits };
}

/** Runs the engine until SIGINT/SIGTERM (also called by engine/bin/launch.js). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const opts = parseArgs(argv);
  // PostgreSQL keeps state across restarts; without it the engine is in-memory.
  const store = opts.databaseUrl
    ? await (await import('./persistence/postgresStore')).PostgresStore.open({
        databaseUrl: opts.databaseUrl,
        lockWaitMs: opts.lockWaitMs,
        onFatal: (err) => {
          console.error(`[engine] ${err.message}`);
          process.exit(1);
        },
      })
    : undefined;
  const engine = await startEngine({
    port: opts.port,
    host: opts.host,
    clock: opts.clock,
    namespace: opts.namespaces[0],
    searchAttributes: opts.searchAttributes,
    limits: opts.limits,
    store,
    onStoreFailure: () => process.exit(1),
  });
  process.stdout.write(`engine listening on ${engine.address} (clock: ${typeof opts.clock === 'string' ? opts.clock : 'manual'})\n`);
  const stop = () => {
    engine
      .stop()
      .then(() => store?.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
