/**
 * The payload codec on its own: round trip, key rotation by key id, tampering and unknown keys
 * refused, key parsing errors that name the source but never echo key material.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../temporal/payloadCodec';
import { loadPayloadKeys, newPayloadKeyEntry, parsePayloadKeys } from '../../temporal/payloadKeys';

const caller = { callerName: '钱七', callerPhone: '13600006666' };
const payload = () => defaultPayloadConverter.toPayload(caller);

test('encrypts with the first key, decrypts back, leaves no plaintext', async () => {
  const codec = new AesGcmPayloadCodec(parsePayloadKeys(newPayloadKeyEntry('k1'), 'test'));
  const [encoded] = await codec.encode([payload()]);
  expect(Buffer.from(encoded.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
  expect(Buffer.from(encoded.metadata!['encryption-key-id']!).toString()).toBe('k1');
  expect(Buffer.from(encoded.data!).includes(Buffer.from('13600006666'))).toBe(false);
  const [decoded] = await codec.decode([encoded]);
  expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(caller);
  // Two encryptions of the same value differ (random IV).
  const [again] = await codec.encode([payload()]);
  expect(Buffer.from(again.data!).equals(Buffer.from(encoded.data!))).toBe(false);
});

test('every payload gets its own IV, also across refills of the IV pool', async () => {
  const codec = new AesGcmPayloadCodec(parsePayloadKeys(newPayloadKeyEntry('k1'), 'test'));
  const encoded = [...(await codec.encode(Array.from({ length: 300 }, payload))), ...(await codec.encode(Array.from({ length: 300 }, payload)))];
  const ivs = new Set(encoded.map((p) => Buffer.from(p.data!).subarray(0, 12).toString('hex')));
  expect(ivs.size).toBe(600);
  const decoded = await codec.decode(encoded);
  expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(Array(600).fill(caller));
});

test('rotation: a ring with a new first key still decrypts what the old key wrote', async () => {
  const old = newPayloadKeyEntry('k1');
  const fresh = newPayloadKeyEntry('k2');
  const [written] = await new AesGcmPayloadCodec(parsePayloadKeys(old, 'test')).encode([payload()]);
  const rotated = new AesGcmPayloadCodec(parsePayloadKeys(`${fresh},${old}`, 'test'));
  expect(defaultPayloadConverter.fromPayload((await rotated.decode([written]))[0])).toEqual(caller);
  const [newer] = await rotated.encode([payload()]);
  expect(Buffer.from(newer.metadata!['encryption-key-id']!).toString()).toBe('k2');
  // Without the old key, the old payload cannot be read: the error names the key id.
  await expect(new AesGcmPayloadCodec(parsePayloadKeys(fresh, 'test')).decode([written])).rejects.toThrow(/k1/);
});

test('a tampered payload or a key id swapped in metadata is refused', async () => {
  const ring = parsePayloadKeys(`${newPayloadKeyEntry('k1')},${newPayloadKeyEntry('k2')}`, 'test');
  const codec = new AesGcmPayloadCodec(ring);
  const [encoded] = await codec.encode([payload()]);
  const flipped = Buffer.from(encoded.data!);
  flipped[20] ^= 1;
  await expect(codec.decode([{ ...encoded, data: flipped }])).rejects.toThrow();
  await expect(codec.decode([{ ...encoded, metadata: { ...encoded.metadata, 'encryption-key-id': Buffer.from('k2') } }])).rejects.toThrow();
  // Plain payloads (written before encryption was turned on) pass through.
  expect(defaultPayloadConverter.fromPayload((await codec.decode([payload()]))[0])).toEqual(caller);
});

test('bad key text names the source and the key id, never the key material', () => {
  const short = Buffer.alloc(16, 7).toString('base64');
  expect(() => parsePayloadKeys(`k1:${short}`, 'PAYLOAD_KEYS')).toThrow(/PAYLOAD_KEYS: key k1 is not 32 bytes/);
  try {
    parsePayloadKeys(`k1:${short}`, 'PAYLOAD_KEYS');
  } catch (error) {
    expect((error as Error).message).not.toContain(short);
  }
  expect(() => parsePayloadKeys('', 'PAYLOAD_KEY_FILE')).toThrow(/PAYLOAD_KEY_FILE: no key/);
  const entry = newPayloadKeyEntry('k1');
  expect(() => parsePayloadKeys(`${entry}\n${entry}`, 'f')).toThrow(/twice/);
});

test('a missing key file is created once (0600) and then reused', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-keys-'));
  try {
    const file = path.join(dir, 'payload-keys');
    const first = await loadPayloadKeys({ defaultFile: file });
    expect(first.generatedIn).toBe(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadPayloadKeys({ file, defaultFile: path.join(dir, 'other') });
    expect(second.generatedIn).toBeUndefined();
    expect(second.ring.current.key.equals(first.ring.current.key)).toBe(true);
    expect(await readFile(file, 'utf8')).toContain(`${first.ring.current.id}:`);
    // PAYLOAD_KEYS wins over any file.
    const fromEnv = await loadPayloadKeys({ keys: newPayloadKeyEntry('env'), file, defaultFile: file });
    expect(fromEnv.ring.current.id).toBe('env');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
