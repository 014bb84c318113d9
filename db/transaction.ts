/**
 * One PostgreSQL transaction on a pooled client: committed when `fn` resolves, rolled back when
 * it throws (the error is passed on), and the client released either way.
 *
 * @example
 * await inTransaction(pool, (db) => db.query('INSERT …'));
 */
import type { Pool, PoolClient } from 'pg';

export async function inTransaction<T>(pool: Pool, fn: (db: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
