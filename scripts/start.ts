/**
 * `npm start`: the whole service with nothing installed (see scripts/service.ts and README.md).
 * Prints the URL, and in sandbox mode the demo tokens and console passwords; stops cleanly on SIGINT / SIGTERM.
 */
import { ConfigError, loadConfig } from '../api/config';
import pino from 'pino';
import { createLogger, type Logger } from '../api/logger';
import { startService, type RunningService } from './service';

/**
 * Resolves once every line logged so far is written. pino writes stdout asynchronously: exiting
 * at once wrote "stopped" (synchronously, at exit) while "PostgreSQL stopped" was still being
 * written, so it came out after it (a CI failure of test/api/production.test.ts). Ending the
 * stream writes what is pending in order (sonic-boom leaves fd 1 open).
 */
function logWritten(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { end?: () => void; once?: (event: string, listener: () => void) => void } | undefined;
  if (typeof stream?.end !== 'function' || typeof stream.once !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 2000);
    stream.once!('close', () => {
      clearTimeout(fallback);
      resolve();
    });
    stream.end!();
  });
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  // Signals are taken from the start: one that comes while the service starts stops it, in order,
  // once the start has finished (a failed start has already stopped what it started).
  let starting: Promise<RunningService> | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    const running = await starting?.catch(() => undefined);
    await running?.stop();
    logger.info('stopped');
    await logWritten(logger);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  starting = startService(config, logger);
  const service = await starting.catch((error: unknown) => {
    if (stopping) return undefined;
    throw error;
  });
  if (!service || stopping) return;

  // The banner is for people; the JSON line before it is for machines (and tests).
  logger.info({ url: service.url, temporal: service.temporalAddress, sandbox: config.SANDBOX }, 'service ready');
  if (service.url) {
    const lines = [`\n12345 hotline work orders — console ${service.url}/  (API docs: ${service.url}/docs)`];
    if (config.SANDBOX) {
      // Sandbox only: the demo secrets are printed and written for staff rehearsing; outside
      // sandbox nothing secret is printed (an admin sets passwords: PUT /admin/users/:id/password).
      lines.push(`sandbox mode: manual clock (POST /admin/clock/advance), tokens in ${config.DATA_DIR}/demo-tokens.json, console passwords in ${config.DATA_DIR}/demo-passwords.json`);
      if (service.passwords) {
        const p = service.passwords;
        lines.push('console sign-in (用户名 / 密码):');
        lines.push(`  center      ${p.center.login} / ${p.center.password}`);
        lines.push(`  supervisor  ${p.supervisor.login} / ${p.supervisor.password}`);
        lines.push(`  admin       ${p.admin.login} / ${p.admin.password}`);
        for (const [unitId, c] of Object.entries(p.units)) lines.push(`  unit ${unitId}  ${c.login} / ${c.password}`);
      }
      if (service.tokens) {
        lines.push('demo tokens (Authorization: Bearer <token>):');
        lines.push(`  center      ${service.tokens.center}`);
        lines.push(`  supervisor  ${service.tokens.supervisor}`);
        lines.push(`  admin       ${service.tokens.admin}`);
        for (const [unitId, token] of Object.entries(service.tokens.units)) lines.push(`  unit ${unitId}  ${token}`);
      }
    } else if (service.tokens) {
      lines.push(`demo users seeded; their tokens and console passwords are not printed outside sandbox mode (see ${config.DATA_DIR}/demo-tokens.json and demo-passwords.json, readable by this user only)`);
    }
    if (service.needsAdmin) lines.push('no administrator yet: create the first one with `npm run create-admin -- --name <姓名>`');
    process.stderr.write(`${lines.join('\n')}\n\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
