/**
 * The signed-in user, the service's clock (so countdowns follow the sandbox clock too) and the
 * unread-notification count, refreshed by short polling every few seconds.
 */
import { reactive } from 'vue';
import * as auth from './api/auth.js';
import { setCsrfToken, whenSessionLost } from './api/http.js';
import { unreadCount } from './api/notifications.js';
import { health } from './api/system.js';

export const pollMs = 5000;

export const session = reactive({
  user: null,
  checked: false,
  sandbox: false,
  /** Server time minus browser time, in ms. */
  offset: 0,
  /** Browser time of the last tick (drives re-rendering of countdowns). */
  tick: Date.now(),
  unread: 0,
  /** Increments whenever the service's clock or notifications changed: lists reload on it. */
  version: 0,
});

/** The service's current time in ms. */
export const serverNow = () => session.tick + session.offset;

let timer;
let lastServerNow = 0;
let lastUnread = -1;

async function poll() {
  try {
    const h = await health();
    session.sandbox = h.sandbox;
    session.offset = new Date(h.now).getTime() - Date.now();
    if (session.user && session.user.role !== 'admin') session.unread = await unreadCount();
    // A sandbox clock jump or new notifications: ask lists to reload.
    const now = new Date(h.now).getTime();
    const first = lastServerNow === 0;
    if (!first && (Math.abs(now - lastServerNow - pollMs) > 60_000 || session.unread !== lastUnread)) session.version++;
    lastServerNow = now;
    lastUnread = session.unread;
  } catch {
    // The next poll tries again; views show their own errors.
  }
}

function startPolling() {
  clearInterval(timer);
  void poll();
  timer = setInterval(() => void poll(), pollMs);
}
setInterval(() => (session.tick = Date.now()), 1000);

export async function loadSession() {
  try {
    const me = await auth.me();
    session.user = me.user;
    setCsrfToken(me.csrfToken);
    startPolling();
  } catch {
    session.user = null;
  } finally {
    session.checked = true;
  }
}

export async function signIn(login, password) {
  const me = await auth.signIn(login, password);
  session.user = me.user;
  setCsrfToken(me.csrfToken);
  startPolling();
  return me.user;
}

export async function signOut() {
  await auth.signOut().catch(() => undefined);
  clearInterval(timer);
  session.user = null;
  setCsrfToken('');
}

/** The refreshing now: read inside a render so countdowns re-render every second. */
export const refresh = () => void poll();

whenSessionLost(() => {
  session.user = null;
  clearInterval(timer);
});

/** Where a role starts. */
export const homeOf = (role) => (role === 'unit' ? '/inbox' : role === 'supervisor' ? '/supervisor' : '/list');
