/**
 * Caller data encrypted at rest in Temporal (issue 15): every payload the client and the worker
 * send (workflow inputs, update arguments and results, query results, activity inputs, memo) is
 * AES-256-GCM encrypted before it leaves the process, so a workflow history — in the project's
 * engine or a Temporal cluster — holds only ciphertext. The engine stores what it is given and
 * needs no change.
 *
 * Format of an encrypted payload: metadata `encoding: binary/encrypted` and
 * `encryption-key-id: <id>`; data = 12-byte IV ‖ ciphertext ‖ 16-byte GCM tag of the original
 * Payload protobuf; the key id is the additional authenticated data. Keys come from a
 * {@link PayloadKeyRing}: the first key encrypts, every key decrypts (rotation: see README).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeyRing } from './payloadKeys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * Fresh random IVs, drawn from the CSPRNG 256 at a time (one call per payload was a measurable
 * part of an operation's CPU, issue 9). Every IV is still 12 random bytes used once.
 */
class IvSource {
  private pool = Buffer.alloc(0);
  private offset = 0;

  next(): Buffer {
    if (this.offset + IV_BYTES > this.pool.length) {
      this.pool = randomBytes(IV_BYTES * 256);
      this.offset = 0;
    }
    const iv = this.pool.subarray(this.offset, this.offset + IV_BYTES);
    this.offset += IV_BYTES;
    return iv;
  }
}

/** The AES-256-GCM {@link PayloadCodec}; give the same instance to the client and the worker. */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly ivs = new IvSource();

  constructor(private readonly keys: PayloadKeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    const aad = Buffer.from(id, 'utf8');
    return payloads.map((payload) => {
      const iv = this.ivs.next();
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before encryption was on stay readable.
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      const key = id === undefined ? undefined : this.keys.byId.get(id);
      if (!key || !payload.data) throw new Error(`payload encrypted with key id ${id ?? '(none)'}, which is not configured (PAYLOAD_KEYS / PAYLOAD_KEY_FILE)`);
      const data = Buffer.from(payload.data);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id!, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}
