import { decodeMessage, encodeHistory, type Msg } from '../proto';

/**
 * How the PostgreSQL store turns engine values into column values and back.
 *
 * - History events are stored as protobuf `temporal.api.history.v1.History` blobs, the format
 *   Temporal itself persists and the exact bytes a client is sent, so a reloaded event decodes to
 *   what the SDK saw.
 * - Other records (visibility rows, namespaces, a run's derived state) are JSON; payload bytes
 *   inside them become `{"$b64": "..."}` and strings holding U+0000 (which `jsonb` refuses)
 *   `{"$nul": "<base64>"}`, so they survive the trip through `jsonb`.
 */

const BYTES_KEY = '$b64';
/** jsonb cannot hold U+0000: such strings travel base64-encoded under this key. */
const NUL_STRING_KEY = '$nul';

/** Encodes a batch of history events (one stored row). */
export function encodeEvents(events: Msg[]): Buffer {
  return encodeHistory(events);
}

/** Decodes a stored batch of events, in the shape every engine decode uses. */
export function decodeEvents(data: Uint8Array): Msg[] {
  return decodeMessage('temporal.api.history.v1.History', data).events ?? [];
}

/** A JSON-safe copy of a value: bytes become `{ $b64 }`, `undefined` members are dropped. */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Uint8Array) return { [BYTES_KEY]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toJsonValue(v)));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = toJsonValue(v);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`cannot store the number ${value}`);
  if (typeof value === 'string' && value.includes('\u0000')) return { [NUL_STRING_KEY]: Buffer.from(value, 'utf8').toString('base64') };
  return value;
}

/**
 * Reverses {@link toJsonValue}: `{ $b64 }` objects become Buffers again. The value is revived in
 * place (every caller passes a value the driver has just parsed and nobody else holds): a second
 * copy of every object made start-up with 100 000 open runs allocate twice, and garbage
 * collection was its largest cost (issue 9).
 */
export function fromJsonValue<T = unknown>(value: unknown): T {
  return revive(value) as T;
}

function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  const obj = value as Record<string, unknown>;
  const bytes = obj[BYTES_KEY];
  const nul = obj[NUL_STRING_KEY];
  if ((typeof bytes === 'string' || typeof nul === 'string') && onlyKey(obj)) {
    return typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : Buffer.from(nul as string, 'base64').toString('utf8');
  }
  for (const k in obj) {
    const v = obj[k];
    if (v === null || typeof v !== 'object') continue;
    const revived = revive(v);
    if (revived !== v) obj[k] = revived;
  }
  return obj;
}

/** True when `obj` has exactly one key (without building the array of its keys). */
function onlyKey(obj: Record<string, unknown>): boolean {
  let n = 0;
  for (const _ in obj) if (++n > 1) return false;
  return n === 1;
}
