/**
 * The payload converter of the worker, on both sides of it (issue 9): the workflow thread (bundled
 * through `payloadConverterPath`, worker/createWorker.ts) and the activities. The SDK's default,
 * with one change: JSON text is turned into UTF-8 bytes and back by the platform's
 * `TextEncoder`/`TextDecoder` (the sandbox has Node's, the SDK injects them) instead of the SDK's
 * JavaScript ones (@temporalio/common `encoding.ts`).
 *
 * Why: every update answer and every outbox batch (the read-model snapshot) carries the work
 * order's whole state, up to 300 timeline entries: 3 KB fresh, about 115 KB for a long one, and
 * the JavaScript encoder took ~1 ms for the latter (native: ~0.3 ms), twice per action.
 *
 * The bytes are the same UTF-8 JSON (`json/plain`), so a client or worker with the SDK's default
 * converter reads them, and histories recorded before replay unchanged (JSON.stringify escapes
 * lone surrogates, so the two encoders never see text on which they differ).
 */
import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  JsonPayloadConverter,
  METADATA_ENCODING_KEY,
  UndefinedPayloadConverter,
  ValueError,
  type Payload,
} from '@temporalio/common';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const jsonEncoding = encoder.encode('json/plain');

/** `json/plain` with the platform's UTF-8 coding. */
export class NativeJsonPayloadConverter extends JsonPayloadConverter {
  override toPayload(value: unknown): Payload | undefined {
    if (value === undefined) return undefined;
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return undefined;
    }
    return { metadata: { [METADATA_ENCODING_KEY]: jsonEncoding }, data: encoder.encode(json) };
  }

  override fromPayload<T>(content: Payload): T {
    if (content.data === undefined || content.data === null) throw new ValueError('Got payload with no data');
    return JSON.parse(decoder.decode(content.data)) as T;
  }
}

/** What `payloadConverterPath` loads: the SDK's default order (undefined, binary, JSON). */
export const payloadConverter = new CompositePayloadConverter(
  new UndefinedPayloadConverter(),
  new BinaryPayloadConverter(),
  new NativeJsonPayloadConverter(),
);
