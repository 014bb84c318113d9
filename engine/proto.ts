/**
 * Wire helpers: the protobufjs root shipped with @temporalio/proto (the one the SDK itself uses),
 * plus conversions between epoch milliseconds and protobuf Timestamp/Duration objects.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const root = require('@temporalio/proto/protos/json-module.js');

/** A decoded protobuf message as a plain object (camelCase fields, enums as strings, int64 as number). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

/** Options used for every decode so that handlers see one consistent shape. */
export const DECODE_OPTIONS = { longs: Number, enums: String, bytes: Buffer, defaults: false } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const types = new Map<string, any>();

/**
 * The protobufjs type of a message, by full name. Kept once found: `root.lookupType` walks the
 * namespace tree by path on every call, and every request, response and history event asks
 * (issue 9: CPU per call on the engine's main thread).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lookupType(name: string): any {
  let type = types.get(name);
  if (type === undefined) {
    type = root.lookupType(name);
    types.set(name, type);
  }
  return type;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lookupService(name: string): any {
  return root.lookupService(name);
}

export function encodeMessage(typeName: string, value: Msg): Buffer {
  const t = lookupType(typeName);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

/**
 * The protobuf bytes of history events, kept from when an event is appended (its size is
 * measured then) until it is stored, so storing it does not encode it again (issue 9). Events
 * are not changed after they are appended; an event missing here is encoded when needed.
 */
const historyEventBytes = new WeakMap<Msg, Buffer>();

/** Encodes a `HistoryEvent` and remembers its bytes for {@link encodeHistory}. */
export function encodeHistoryEvent(event: Msg): Buffer {
  const bytes = encodeMessage('temporal.api.history.v1.HistoryEvent', event);
  historyEventBytes.set(event, bytes);
  return bytes;
}

/**
 * A `temporal.api.history.v1.History` of `events`, built from each event's remembered bytes
 * (which are forgotten then: an event is stored once): field 1 (`events`, length-delimited) per
 * event, the bytes protobufjs writes for the same message.
 */
export function encodeHistory(events: Msg[]): Buffer {
  const parts: Buffer[] = [];
  for (const event of events) {
    const bytes = historyEventBytes.get(event) ?? encodeMessage('temporal.api.history.v1.HistoryEvent', event);
    historyEventBytes.delete(event);
    parts.push(Buffer.from([0x0a, ...varint(bytes.length)]), bytes);
  }
  return Buffer.concat(parts);
}

/** A protobuf base-128 varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

export function decodeMessage(typeName: string, buf: Uint8Array): Msg {
  const t = lookupType(typeName);
  return t.toObject(t.decode(buf), DECODE_OPTIONS);
}

/** Packs a message into google.protobuf.Any (snake-case fields in this root). */
export function packAny(typeName: string, value: Msg): Msg {
  return { type_url: `type.googleapis.com/${typeName}`, value: encodeMessage(typeName, value) };
}

export function unpackAny(any: Msg | undefined): { typeName: string; value: Msg } | undefined {
  if (!any || !any.type_url) return undefined;
  const typeName = String(any.type_url).replace(/^.*\//, '');
  return { typeName, value: decodeMessage(typeName, any.value ?? Buffer.alloc(0)) };
}

export function msToTimestamp(ms: number): Msg {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function timestampToMs(ts: Msg | undefined | null): number | undefined {
  if (!ts) return undefined;
  return Number(ts.seconds ?? 0) * 1000 + Math.floor(Number(ts.nanos ?? 0) / 1e6);
}

export const msToDuration = msToTimestamp;

/** Duration to ms; absent or zero durations give 0 (which Temporal reads as "not set"). */
export function durationToMs(d: Msg | undefined | null): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) * 1000 + Math.floor(Number(d.nanos ?? 0) / 1e6);
}
