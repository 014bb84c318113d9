/**
 * The machine's own limits, measured in the same run as a benchmark's figures so that each figure
 * can be read against them on a shared, loaded machine (bench/scale.ts, bench/profile-throughput.ts).
 */
import { Pool } from 'pg';
import { closedLoop, type Http, type LoadResult } from './scale-support';

/** Single-row INSERT commits/s at `clients` connections (autocommit, fsync as configured). */
export async function postgresCommitRate(databaseUrl: string, clients: number, seconds: number): Promise<number> {
  const pool = new Pool({ connectionString: databaseUrl, max: clients });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_commits (id bigserial PRIMARY KEY, v text NOT NULL)');
    let n = 0;
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        const c = await pool.connect();
        try {
          while (performance.now() < until) {
            await c.query('INSERT INTO bench_commits (v) VALUES ($1)', ['x']);
            n++;
          }
        } finally {
          c.release();
        }
      }),
    );
    const rate = n / ((performance.now() - t0) / 1000);
    await pool.query('DROP TABLE bench_commits');
    return rate;
  } finally {
    await pool.end();
  }
}

/** The API's bare authenticated GET (`/units/:id`) at `clients` connections for `seconds`. */
export async function bareGetRate(http: Http, token: string, clients: number, seconds: number): Promise<LoadResult> {
  return closedLoop(1e9, clients, seconds, () => http.request('GET', '/units/kf-001', token));
}
