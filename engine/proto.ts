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
  const bytes: Uint8Array = t.encode(t.fromObject(value)).finish();
  // Under Node protobufjs writes into a fresh Buffer already: use it, do not copy it (issue 9).
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The protobuf bytes of history events, kept from when an event is appended (its size is
 * measured then) until it is stored, so storing it does not encode it again (issue 9). Events
 * are not changed after they are appended; an event missing here is encoded when needed.
 */
const historyEventBytes = new WeakMap<Msg, Buffer>();

/**
 * After an event is stored its bytes stay here a while, oldest dropped first beyond
 * {@link RECENT_EVENT_BYTES}: a sticky workflow task sends the events of the run's previous
 * task again (Temporal sends every event after the last started one), usually soon after they
 * were stored, and its response then reuses their bytes instead of encoding them a second time
 * (issue 9: CPU per task on the engine's main thread). Bounded, so 100 000 open runs cost no
 * more than this. Held by the event weakly: an event paged out of its run is never sent again
 * (the store's copy is), so its bytes must not keep it, and the request buffers its payloads
 * are views into, in memory (a strong map here held tens of thousands of events, issue 9).
 */
const recentEventBytes = new WeakMap<Msg, Buffer>();
/** Stored events with remembered bytes, oldest first (from `recentHead` on), for the budget. */
const recentOrder: Array<{ event: WeakRef<Msg>; length: number } | undefined> = [];
let recentHead = 0;
let recentBytes = 0;
/** The most bytes {@link recentEventBytes} holds. */
export const RECENT_EVENT_BYTES = 8 * 1024 * 1024;

function keepRecent(event: Msg, bytes: Buffer): void {
  if (recentEventBytes.has(event)) return; // stored again (a retried write): same bytes, counted once
  recentEventBytes.set(event, bytes);
  recentOrder.push({ event: new WeakRef(event), length: bytes.length });
  recentBytes += bytes.length;
  while (recentBytes > RECENT_EVENT_BYTES && recentHead < recentOrder.length) {
    const oldest = recentOrder[recentHead]!;
    recentOrder[recentHead++] = undefined;
    recentBytes -= oldest.length;
    const gone = oldest.event.deref();
    if (gone) recentEventBytes.delete(gone);
  }
  // The dropped head of the list is cut off now and then (O(1) per event overall).
  if (recentHead > 1024 && recentHead * 2 > recentOrder.length) {
    recentOrder.splice(0, recentHead);
    recentHead = 0;
  }
}

/** Encodes a `HistoryEvent` and remembers its bytes for {@link encodeHistory}. */
export function encodeHistoryEvent(event: Msg): Buffer {
  const bytes = encodeMessage('temporal.api.history.v1.HistoryEvent', event);
  historyEventBytes.set(event, bytes);
  return bytes;
}

/** An event's bytes: remembered (appended, or stored recently) or encoded now. */
function eventBytes(event: Msg): Buffer {
  return historyEventBytes.get(event) ?? recentEventBytes.get(event) ?? encodeMessage('temporal.api.history.v1.HistoryEvent', event);
}

/** `History` bytes: field 1 (`events`, length-delimited) per event, as protobufjs writes them. */
function historyBytes(events: Msg[], bytesOf: (event: Msg) => Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const event of events) {
    const bytes = bytesOf(event);
    parts.push(Buffer.from([0x0a, ...varint(bytes.length)]), bytes);
  }
  return Buffer.concat(parts);
}

/**
 * A `temporal.api.history.v1.History` of `events`, built from each event's remembered bytes,
 * for the store: the bytes move from the appended events to the recently stored ones.
 */
export function encodeHistory(events: Msg[]): Buffer {
  return historyBytes(events, (event) => {
    const bytes = eventBytes(event);
    if (historyEventBytes.delete(event)) keepRecent(event, bytes);
    return bytes;
  });
}

/** Responses that carry a `history` (field number), sent from remembered event bytes. */
const HISTORY_FIELD: Record<string, number> = {
  'temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse': 8,
  'temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse': 1,
};

/**
 * Encodes a response; one with history events is written as the rest of the message followed
 * by its `history` field built from remembered event bytes (protobuf readers take fields in any
 * order, and a field written once is read the same wherever it stands).
 */
export function encodeResponse(typeName: string, value: Msg): Buffer {
  const field = HISTORY_FIELD[typeName];
  const events: Msg[] | undefined = value.history?.events;
  if (field === undefined || !events || events.length === 0) return encodeMessage(typeName, value);
  const { history: _, ...rest } = value;
  const body = historyBytes(events, eventBytes);
  return Buffer.concat([encodeMessage(typeName, rest), Buffer.from([(field << 3) | 2, ...varint(body.length)]), body]);
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
