/**
 * An orderly end of a `pg` pool before its PostgreSQL stops. `pool.end()` resolves as soon as it
 * has asked its idle connections to close, not when they are closed: a PostgreSQL stopped right
 * after it terminates those still closing, and each one surfaces as the pool's `error` event
 * ("idle database connection lost" in the service's log) during a clean Ctrl-C.
 */
import type { Pool, PoolClient } from 'pg';

/**
 * Follows a pool's connections from its creation; `end()` then ends the pool and waits until
 * every connection it opened has closed (at most `timeoutMs`).
 *
 * @example
 * const pool = new Pool(...);
 * const closing = trackConnections(pool);
 * stops.push(() => closing.end());
 */
export function trackConnections(pool: Pool): { end(timeoutMs?: number): Promise<void> } {
  const open = new Set<PoolClient>();
  let closed: (() => void) | undefined;
  pool.on('connect', (client) => open.add(client));
  pool.on('remove', (client) => {
    open.delete(client);
    if (open.size === 0) closed?.();
  });
  return {
    async end(timeoutMs = 10_000) {
      const allClosed = new Promise<void>((resolve) => {
        closed = resolve;
      });
      await pool.end();
      if (open.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
