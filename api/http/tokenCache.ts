/**
 * The callers of bearer tokens, kept in memory so that a request does not query PostgreSQL to
 * learn who is asking (issue 9: one round trip of the 2–4 an action made).
 *
 * Exact across processes: migration 0013 has PostgreSQL `NOTIFY auth_changed` after every
 * committed change of `api_tokens`, `users` or `units`, whoever makes it (another API process,
 * `npm run create-admin`, psql). The cache LISTENs on a connection of its own and empties itself
 * on each notification; a lookup that was under way when one arrived is not kept. While it is not
 * listening (not yet connected, connection lost, a pooler that cannot LISTEN) it keeps nothing and
 * every request reads the database, as without a cache. In this process a change made through
 * the API empties it at once too ({@link authChanged}), before the change is answered.
 */
import { Client, type ClientConfig, type Pool } from 'pg';
import { userForToken, hashToken, type TokenUser } from './auth';

/** Sizes of the cache (TOKEN_CACHE_SIZE, TOKEN_CACHE_TTL_MS). */
export interface TokenCacheSettings {
  /** Tokens kept at most; 0 turns the cache off. */
  size: number;
  /** How long an entry is trusted even without a notification (a safety net, not the mechanism). */
  ttlMs: number;
  /** Wait before listening again after the connection was lost. */
  reconnectMs?: number;
}

const caches = new Set<TokenCache>();

/** Empties every token cache of this process: a change to users, units or tokens was committed. */
export function authChanged(): void {
  for (const cache of caches) cache.invalidate();
}

/** Callers by token hash, invalidated by PostgreSQL notifications. */
export class TokenCache {
  private readonly entries = new Map<string, { user: TokenUser | undefined; until: number }>();
  /** Bumped on every invalidation: a lookup that started before a bump is not kept. */
  private generation = 0;
  private listener: Client | undefined;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly settings: TokenCacheSettings,
    private readonly onListenError: (error: Error) => void = () => undefined,
  ) {}

  /** Starts listening (resolves once listening, or once the first attempt failed). */
  async start(): Promise<void> {
    if (this.settings.size <= 0 || this.closed) return;
    caches.add(this);
    await this.listen();
  }

  /** True while entries are kept (listening for changes). */
  get active(): boolean {
    return this.listening && this.settings.size > 0;
  }

  /** The caller of a token (unknown, revoked or inactive users: undefined), from memory when kept. */
  async lookup(token: string): Promise<TokenUser | undefined> {
    if (!this.active) return userForToken(this.pool, token);
    const hash = hashToken(token);
    const now = Date.now();
    const hit = this.entries.get(hash);
    if (hit && hit.until > now) {
      // Most recently used last, so the oldest is the first to go.
      this.entries.delete(hash);
      this.entries.set(hash, hit);
      return hit.user;
    }
    const generation = this.generation;
    const user = await userForToken(this.pool, token, hash);
    // Unknown tokens are not kept: a guessing caller must not fill the cache.
    if (user && generation === this.generation && this.active) {
      this.entries.delete(hash);
      this.entries.set(hash, { user, until: now + this.settings.ttlMs });
      while (this.entries.size > this.settings.size) this.entries.delete(this.entries.keys().next().value!);
    }
    return user;
  }

  /** Forgets every entry, and any lookup under way. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Stops listening and keeping entries. */
  async close(): Promise<void> {
    this.closed = true;
    caches.delete(this);
    clearTimeout(this.retry);
    this.stopListening();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client(this.pool.options as ClientConfig);
    this.listener = client;
    client.on('notification', () => this.invalidate());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query('LISTEN auth_changed');
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.listener !== client) return;
    // Whatever changed before LISTEN took effect is not in memory: nothing was kept.
    this.invalidate();
    this.listening = true;
  }

  private stopListening(): void {
    this.listening = false;
    this.invalidate();
  }

  private lost(client: Client, error?: Error): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.stopListening();
    void client.end().catch(() => undefined);
    if (this.closed) return;
    if (error) this.onListenError(error);
    this.retry = setTimeout(() => void this.listen(), this.settings.reconnectMs ?? 1000);
    this.retry.unref();
  }
}
