/**
 * A secured cluster connection from environment variables (issue 15): TLS with a CA and server
 * name, mTLS with a client certificate, an API key; nothing of it for a plain address.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { clusterConnectionOptions } from '../../temporal/connection';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-tls-'));
  for (const name of ['ca.pem', 'client.pem', 'client.key']) await writeFile(path.join(dir, name), `-----BEGIN ${name}-----\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('a plain address: no TLS, no key', () => {
  const options = clusterConnectionOptions('temporal:7233', {});
  expect(options.address).toBe('temporal:7233');
  expect(options.tls).toBeFalsy();
  expect(options.apiKey).toBeUndefined();
});

test('mTLS: CA, server name, client certificate and key from files', () => {
  const options = clusterConnectionOptions('temporal.example:7233', {
    TEMPORAL_TLS: 'true',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
  });
  const tls = options.tls as { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  expect(tls.serverNameOverride).toBe('temporal.internal');
  expect(Buffer.from(tls.serverRootCACertificate!).toString()).toContain('ca.pem');
  expect(Buffer.from(tls.clientCertPair!.crt).toString()).toContain('client.pem');
  expect(Buffer.from(tls.clientCertPair!.key).toString()).toContain('client.key');
});

test('an API key turns TLS on', () => {
  const options = clusterConnectionOptions('ns.acct.tmprl.cloud:7233', { TEMPORAL_API_KEY: 'key-123' });
  expect(options.apiKey).toBe('key-123');
  expect(options.tls).toBeTruthy();
});
