/**
 * Configuration from environment variables, parsed once at start with zod. A bad value stops the
 * start with a message naming the variable.
 */
import { z } from 'zod';
import { profileIds } from '../domain/profile';
import { workerTuningShape } from '../worker/tuning';

const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const configSchema = z
  .object({
    /** HTTP port of the API. */
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Interface the API listens on (0.0.0.0 in containers). */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Where the embedded PostgreSQL and the demo secrets live. */
    DATA_DIR: z.string().min(1).default('.data'),
    /** External PostgreSQL; absent → embedded PostgreSQL under DATA_DIR. */
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/.+/, 'a postgres:// connection string').optional(),
    /** Port of the embedded PostgreSQL (0: any free port). */
    EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    /** External Temporal frontend `host:port`; absent → the project's engine in-process. */
    TEMPORAL_ADDRESS: z.string().regex(/^[A-Za-z0-9_.-]+:\d{1,5}$/, 'host:port').optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).max(200).default('default'),
    /** Port of the in-process engine (0: any free port). */
    ENGINE_PORT: z.coerce.number().int().min(0).max(65535).default(7233),
    /**
     * The in-process engine in a thread of its own (scripts/engineThread.ts), the default: the
     * main thread keeps the API, the worker's Node side and the activities (issue 9). `0` keeps
     * the engine on the main thread. Absent: on, unless TEMPORAL_ADDRESS names a cluster.
     */
    ENGINE_THREAD: flag.optional(),
    /** Sandbox: the engine runs a manual clock that POST /admin/clock/advance moves. */
    SANDBOX: flag.default(false),
    /** Where the sandbox clock starts (ISO 8601 with offset); default now. */
    SANDBOX_START: z.iso.datetime({ offset: true }).optional(),
    /** Which processes run here: the API, the worker, or both (default). */
    SERVICES: z
      .string()
      .default('api,worker')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(['api', 'worker'])).min(1)),
    /** The SLA profile a new hotline starts with (changeable later under /admin/profile). */
    HOTLINE_PROFILE: z.enum(profileIds).default('kaifeng-001'),
    /** Seed the 开封市 demo units, users and tokens into an empty directory; default: in sandbox
     * mode only (a production install starts empty: `npm run create-admin` makes the first admin). */
    SEED_DEMO: flag.optional(),
    /** Payload codec keys `<id>:<base64>`, comma separated, the first encrypts (secret: prefer the file). */
    PAYLOAD_KEYS: z.string().optional(),
    /** File with the payload codec keys, one `<id>:<base64>` a line; created with a new key if missing. */
    PAYLOAD_KEY_FILE: z.string().min(1).optional(),
    /** Origins allowed to call the codec endpoint from a browser (the Temporal web UI). */
    CODEC_CORS_ORIGINS: z
      .string()
      .default('http://localhost:8080')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
    /** A second listener serving only GET /metrics without a token (for Prometheus inside the deployment's network). */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** From this many days before the last day with an official holiday schedule, the calendar is degraded. */
    CALENDAR_WARN_DAYS: z.coerce.number().int().min(1).max(366).default(60),
    /** Callers of bearer tokens kept in memory (api/http/tokenCache.ts); 0: none, every request reads the database. */
    TOKEN_CACHE_SIZE: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
    /** How long a kept caller is trusted without a change notification (a safety net). */
    TOKEN_CACHE_TTL_MS: z.coerce.number().int().min(1).max(86_400_000).default(60_000),
    /** Largest accepted JSON body. */
    BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, "e.g. '100kb'").default('100kb'),
    /** Which proxies' X-Forwarded-For names the client (express `trust proxy`): a hop count, or
     * comma-separated addresses/CIDRs or `loopback`/`linklocal`/`uniquelocal`; unset: none. */
    TRUST_PROXY: z
      .string()
      .regex(/^(\d{1,2}|[0-9A-Za-z:./,\s-]+)$/, "a hop count (e.g. '1') or addresses/CIDRs (e.g. 'loopback, 10.0.0.0/8')")
      .transform((s): number | string => (/^\d+$/.test(s) ? Number(s) : s))
      .optional(),
    /** `0`: the console's source modules instead of its bundle (api/console/static.ts reads it). */
    CONSOLE_BUNDLE: z.enum(['0', '1']).default('1'),
    /** Folder where the built console bundle is kept across restarts (api/console/static.ts reads it); `off`: build at every start. */
    CONSOLE_BUNDLE_CACHE: z.string().min(1).default('node_modules/.cache/hotline-console-bundle'),
    /** The worker's cache, concurrency, threads and bundle cache (worker/tuning.ts). */
    ...workerTuningShape,
  })
  .superRefine((c, ctx) => {
    if (c.SANDBOX && c.TEMPORAL_ADDRESS) {
      ctx.addIssue({ code: 'custom', path: ['SANDBOX'], message: 'sandbox mode needs the in-process engine: unset TEMPORAL_ADDRESS' });
    }
    if (c.ENGINE_THREAD === true && c.TEMPORAL_ADDRESS) {
      ctx.addIssue({ code: 'custom', path: ['ENGINE_THREAD'], message: 'only meaningful with the in-process engine: unset ENGINE_THREAD or TEMPORAL_ADDRESS' });
    }
    if (c.SANDBOX_START && !c.SANDBOX) {
      ctx.addIssue({ code: 'custom', path: ['SANDBOX_START'], message: 'only meaningful with SANDBOX=1' });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** Thrown by {@link loadConfig}; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly variables: { name: string; message: string }[]) {
    super(`invalid configuration: ${variables.map((v) => `${v.name}: ${v.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment. @throws ConfigError naming each bad variable */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset (a common shell and compose idiom).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ name: String(i.path[0] ?? '(config)'), message: i.message })));
  }
  return result.data;
}
