/**
 * workflows/payloadConverter.ts (issue 9): the SDK's default payload converter with the platform's
 * UTF-8 coding. The same bytes as the SDK's default for any text the API accepts, so either side
 * reads the other's payloads and recorded histories replay (test/workflows/replay.test.ts).
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { payloadConverter } from '../../workflows/payloadConverter';

const hex = (p: Payload | undefined) => (p?.data ? Buffer.from(p.data).toString('hex') : undefined);
const encoding = (p: Payload) => Buffer.from(p.metadata!.encoding!).toString('utf8');

const values: unknown[] = [
  { workOrderId: 'WO-1', summary: '小区路灯不亮，已报修三次😀', note: 'a\u0000b', n: 1.5, ok: true, list: [null, 'é'] },
  '办理过程',
  42,
  null,
  [],
];

test('JSON values: the same encoding and bytes as the SDK default, and each side reads the other', () => {
  for (const value of values) {
    const ours = payloadConverter.toPayload(value);
    const sdk = defaultPayloadConverter.toPayload(value);
    expect(encoding(ours)).toBe('json/plain');
    expect(hex(ours)).toBe(hex(sdk));
    expect(defaultPayloadConverter.fromPayload(ours)).toEqual(value);
    expect(payloadConverter.fromPayload(sdk)).toEqual(value);
  }
});

test('a long work order (100 KB of Chinese text) round-trips byte for byte', () => {
  const state = { timeline: Array.from({ length: 300 }, (_, i) => ({ seq: i, type: 'contactAttempt', detail: { note: `第${i}次联系，未接通，稍后再拨打` } })) };
  const ours = payloadConverter.toPayload(state);
  expect(ours.data!.length).toBeGreaterThan(20_000);
  expect(hex(ours)).toBe(hex(defaultPayloadConverter.toPayload(state)));
  expect(payloadConverter.fromPayload(ours)).toEqual(state);
});

test('undefined and binary go to the same converters as the SDK default', () => {
  expect(encoding(payloadConverter.toPayload(undefined))).toBe('binary/null');
  const bytes = new Uint8Array([1, 2, 3]);
  const binary = payloadConverter.toPayload(bytes);
  expect(encoding(binary)).toBe('binary/plain');
  expect(payloadConverter.fromPayload(defaultPayloadConverter.toPayload(bytes))).toEqual(bytes);
});

test('a payload without data is refused, as by the SDK default', () => {
  expect(() => payloadConverter.fromPayload({ metadata: { encoding: new TextEncoder().encode('json/plain') } })).toThrow(/no data/);
});

test('a lone surrogate (which the API refuses, but an old work order may carry) comes back as it went, as with the SDK default', () => {
  // JSON.stringify escapes it (\ud800), so neither UTF-8 encoder ever sees it.
  const ours = payloadConverter.toPayload('a\uD800b');
  expect(hex(ours)).toBe(hex(defaultPayloadConverter.toPayload('a\uD800b')));
  expect(payloadConverter.fromPayload(ours)).toBe('a\uD800b');
});
