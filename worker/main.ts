/**
 * The worker process: `npm run worker`.
 *
 * Environment: `TEMPORAL_ADDRESS` (default `localhost:7233`, the project's engine or any
 * Temporal cluster), `TEMPORAL_NAMESPACE` (default `default`), `DATABASE_URL` (required: the
 * read model the activities write; migrated at start). Runs until SIGINT or SIGTERM, then finishes the tasks in
 * hand and exits.
 */
import { NativeConnection } from '@temporalio/worker';
import { Pool } from 'pg';
import pino from 'pino';
import { z } from 'zod';
import { createActivities } from '../activities';
import { migrate } from '../db/migrate';
import { clusterConnectionOptions } from '../temporal/connection';
import { AesGcmPayloadCodec } from '../temporal/payloadCodec';
import { loadPayloadKeys } from '../temporal/payloadKeys';
import { createWorker } from './createWorker';
import { outboxGrouping, workerTuning, workerTuningShape } from './tuning';

const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// connection string'),
  ...workerTuningShape,
  /** The payload codec keys, as for the API (README: key rotation); one of the two is required. */
  PAYLOAD_KEYS: z.string().optional(),
  PAYLOAD_KEY_FILE: z.string().min(1).optional(),
}).refine((c) => c.PAYLOAD_KEYS || c.PAYLOAD_KEY_FILE, { path: ['PAYLOAD_KEY_FILE'], message: 'set PAYLOAD_KEY_FILE or PAYLOAD_KEYS (the keys the API encrypts with)' });

async function main(): Promise<void> {
  const logger = pino({ name: 'worker' });
  const parsed = configSchema.safeParse(process.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) logger.error({ variable: issue.path.join('.') }, `bad configuration: ${issue.message}`);
    process.exit(2);
  }
  const config = parsed.data;
  // The read-model tables must exist before the first activity; several processes may migrate at once.
  await migrate(config.DATABASE_URL);
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 10, application_name: 'hotline-worker' });
  const connection = await NativeConnection.connect(clusterConnectionOptions(config.TEMPORAL_ADDRESS));
  const keys = await loadPayloadKeys({ keys: config.PAYLOAD_KEYS, file: config.PAYLOAD_KEY_FILE, defaultFile: config.PAYLOAD_KEY_FILE ?? '' });
  const worker = await createWorker({
    connection,
    dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(keys.ring)] },
    namespace: config.TEMPORAL_NAMESPACE,
    activities: createActivities({ pool, logger, outboxGrouping: outboxGrouping(config) }),
    tuning: workerTuning(config),
  });
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    worker.shutdown();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  logger.info({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE }, 'worker running');
  try {
    await worker.run();
  } finally {
    await connection.close();
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
