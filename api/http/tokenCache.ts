/**
 * The callers of bearer tokens and console sessions, kept in memory so that a request does not
 * query PostgreSQL to learn who is asking (issue 9: one round trip of the 2–4 an action made).
 *
 * Exact across processes: migration 0013 has PostgreSQL `NOTIFY auth_changed` after every
 * committed change of `api_tokens`, `users`, `units` or an existing console session (sign-out,
 * password change), whoever makes it (another API process,
 * `npm run create-admin`, psql). The cache LISTENs on a connection of its own and empties itself
 * on each notification; a lookup that was under way when one arrived is not kept. While it is not
 * listening (not yet connected, connection lost, a pooler that cannot LISTEN) it keeps nothing and
 * every request reads the database, as without a cache. In this process a change made through
 * the API empties it at once too ({@link authChanged}), before the change is answered.
 */
import { Client, type ClientConfig, type Pool } from 'pg';
import { findSession, type Session } from '../auth/sessions';
import { userForToken, hashToken, type TokenUser } from './auth';
import { onAuthChanged } from './authChanged';

/** Sizes of the cache (TOKEN_CACHE_SIZE, TOKEN_CACHE_TTL_MS). */
export interface TokenCacheSettings {
  /** Tokens kept at most, and as many sessions; 0 turns the cache off. */
  size: number;
  /** How long an entry is trusted even without a notification (a safety net, not the mechanism). */
  ttlMs: number;
  /** Wait before listening again after the connection was lost. */
  reconnectMs?: number;
}

/** Callers by token hash and console sessions by cookie hash, invalidated by PostgreSQL notifications. */
export class TokenCache {
  private readonly entries = new Map<string, { value: TokenUser; until: number }>();
  private readonly sessions = new Map<string, { value: Session; until: number }>();
  /** Bumped on every invalidation: a lookup that started before a bump is not kept. */
  private generation = 0;
  private listener: Client | undefined;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private stopHearing: (() => void) | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly settings: TokenCacheSettings,
    private readonly onListenError: (error: Error) => void = () => undefined,
  ) {}

  /** Starts listening (resolves once listening, or once the first attempt failed). */
  async start(): Promise<void> {
    if (this.settings.size <= 0 || this.closed) return;
    this.stopHearing ??= onAuthChanged(() => this.invalidate());
    await this.listen();
  }

  /** True while entries are kept (listening for changes). */
  get active(): boolean {
    // start() does not listen with a size of 0.
    return this.listening;
  }

  /** The caller of a token (unknown, revoked or inactive users: undefined), from memory when kept. */
  lookup(token: string): Promise<TokenUser | undefined> {
    if (!this.active) return userForToken(this.pool, token);
    const hash = hashToken(token);
    return this.cached(this.entries, hash, () => userForToken(this.pool, token, hash), () => true);
  }

  /** The live session of a console cookie (as `findSession`), from memory when kept. */
  session(cookieValue: string, now = new Date()): Promise<Session | undefined> {
    if (!this.active) return findSession(this.pool, cookieValue, now);
    return this.cached(this.sessions, hashToken(cookieValue), () => findSession(this.pool, cookieValue, now), (s) => s.expiresAt > now);
  }

  /**
   * A kept value still `valid`, or the one `load` reads (kept unless undefined: a guessing caller
   * must not fill the cache, or a change was announced while it was read).
   */
  private async cached<T>(map: Map<string, { value: T; until: number }>, key: string, load: () => Promise<T | undefined>, valid: (value: T) => boolean): Promise<T | undefined> {
    const hit = map.get(key);
    if (hit) {
      // Most recently used last, so the oldest is the first to go.
      map.delete(key);
      if (hit.until > Date.now() && valid(hit.value)) {
        map.set(key, hit);
        return hit.value;
      }
    }
    const generation = this.generation;
    const value = await load();
    if (value !== undefined) this.keep(map, key, { value, until: Date.now() + this.settings.ttlMs }, generation);
    return value;
  }

  private keep<T>(map: Map<string, T>, key: string, entry: T, generation: number): void {
    if (generation !== this.generation || !this.active) return;
    map.delete(key);
    map.set(key, entry);
    while (map.size > this.settings.size) map.delete(map.keys().next().value!);
  }

  /** Forgets every entry, and any lookup under way. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.sessions.clear();
  }

  /** Stops listening and keeping entries. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopHearing?.();
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
