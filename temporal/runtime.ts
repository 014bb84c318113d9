/**
 * The Temporal SDK's process-wide runtime, installed once before any connection or worker
 * (issue 15): its logs — the TypeScript side's and the Rust core's, forwarded — go through our
 * pino logger, and its worker metrics are exported in Prometheus format on a loopback port that
 * our /metrics serves along with ours (metrics/registry.ts).
 */
import net from 'node:net';
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from '../api/logger';

/** The SDK's Logger interface on top of pino (fields as pino fields, sdk component kept). */
export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const target = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' }[level] as 'trace' | 'debug' | 'info' | 'warn' | 'error';
    this.logger[target]({ temporal: true, ...meta }, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** A free loopback port (released for the SDK's exporter to take). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface InstalledRuntime {
  /** Where the SDK serves its Prometheus metrics (loopback only), e.g. `http://127.0.0.1:41234/metrics`. */
  sdkMetricsUrl: string;
}

/**
 * Installs the SDK runtime with our logger and a Prometheus exporter, without the SDK's own
 * signal handling (the caller stops its worker on SIGINT / SIGTERM). Call once per process,
 * before the first `NativeConnection`/`Worker`.
 */
export async function installTemporalRuntime(logger: Logger): Promise<InstalledRuntime> {
  const port = await freePort();
  Runtime.install({
    // The process stops its worker itself, in order (API, worker, engine, PostgreSQL) on SIGINT or
    // SIGTERM. The SDK's own hook (SIGINT, SIGTERM, SIGQUIT, SIGUSR2) would stop the worker alone,
    // racing that order: a SIGINT just as the worker started left the process hanging.
    shutdownSignals: [],
    logger: new PinoSdkLogger(logger.child({ component: 'temporal-sdk' })),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } },
    },
  });
  return { sdkMetricsUrl: `http://127.0.0.1:${port}/metrics` };
}
