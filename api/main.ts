/**
 * `npm run api`: the HTTP API alone. It is the start script with `SERVICES=api` (one code path:
 * configuration, migrations, logging and graceful shutdown as in scripts/service.ts); point it
 * at a running Temporal with TEMPORAL_ADDRESS and at the database with DATABASE_URL, or it
 * starts the in-process engine and embedded PostgreSQL (without a worker).
 */
process.env.SERVICES = 'api';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- after the env is set
require('../scripts/start');
