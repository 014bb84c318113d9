/**
 * The keys of the payload codec (temporal/payloadCodec.ts), with ids so they can be rotated.
 *
 * Text format (PAYLOAD_KEYS, comma separated; PAYLOAD_KEY_FILE, one per line, `#` comments):
 * `<id>:<base64 of 32 random bytes>`. The FIRST key encrypts new payloads; all of them decrypt.
 * Make one with `node -e "console.log('k2:'+require('crypto').randomBytes(32).toString('base64'))"`.
 * Key material never lives in the repository: it comes from the environment, a file (a mounted
 * secret), or — when neither is given — a key generated once under DATA_DIR (mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

export interface PayloadKeyRing {
  /** The key new payloads are encrypted with. */
  current: { id: string; key: Buffer };
  /** Every key, for decryption. */
  byId: Map<string, Buffer>;
}

const idPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Parses `id:base64` entries.
 *
 * @throws naming `source` and the bad entry's id (never the key material)
 */
export function parsePayloadKeys(textValue: string, source: string): PayloadKeyRing {
  const entries = textValue
    .split('\n')
    .flatMap((line) => line.replace(/#.*/, '').split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error(`${source}: no key (expected <id>:<base64 of 32 bytes>)`);
  const byId = new Map<string, Buffer>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (!idPattern.test(id)) throw new Error(`${source}: each key is <id>:<base64>, with an id of letters, digits, _ . -`);
    if (key.length !== 32) throw new Error(`${source}: key ${id} is not 32 bytes of base64 (AES-256)`);
    if (byId.has(id)) throw new Error(`${source}: key id ${id} appears twice`);
    byId.set(id, key);
  }
  const [firstId, firstKey] = byId.entries().next().value as [string, Buffer];
  return { current: { id: firstId, key: firstKey }, byId };
}

/** A new key entry (`<id>:<base64>`). */
export function newPayloadKeyEntry(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/**
 * Loads the key ring: PAYLOAD_KEYS if set; else PAYLOAD_KEY_FILE or, absent, `defaultFile`
 * (under DATA_DIR). A missing file is created with a new key (mode 0600; exclusive create, so
 * processes sharing a volume agree on one key).
 */
export async function loadPayloadKeys(options: { keys?: string; file?: string; defaultFile: string }): Promise<{ ring: PayloadKeyRing; generatedIn?: string }> {
  if (options.keys) return { ring: parsePayloadKeys(options.keys, 'PAYLOAD_KEYS') };
  const file = options.file ?? options.defaultFile;
  const source = options.file ? 'PAYLOAD_KEY_FILE' : file;
  let generatedIn: string | undefined;
  try {
    await writeFile(file, `# payload codec keys: the first encrypts, all decrypt (README: key rotation)\n${newPayloadKeyEntry()}\n`, { mode: 0o600, flag: 'wx' });
    generatedIn = file;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${source}: cannot create ${file} (${(error as Error).message})`);
  }
  return { ring: parsePayloadKeys(await readFile(file, 'utf8'), source), generatedIn };
}
