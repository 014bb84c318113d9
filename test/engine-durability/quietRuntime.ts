import { Runtime } from '@temporalio/worker';

const silent = () => undefined;

/**
 * Installs an SDK runtime that keeps quiet: the durability tests kill the engine on purpose, and
 * the worker's native side would log every failed poll while it is down.
 */
export function installQuietRuntime(): void {
  Runtime.install({
    logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent },
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
}
