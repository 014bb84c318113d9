/**
 * Who is told, in this process, that users, units, tokens or sessions changed (the token caches,
 * api/http/tokenCache.ts). Other processes learn it from PostgreSQL's `auth_changed` notification.
 */
const listeners = new Set<() => void>();

/** Calls `listener` at every {@link authChanged}; returns its removal. */
export function onAuthChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A change to users, units, tokens or sessions was committed: what this process keeps of them goes. */
export function authChanged(): void {
  for (const listener of listeners) listener();
}
