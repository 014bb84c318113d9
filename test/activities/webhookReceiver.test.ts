/**
 * Standard Webhooks signing and the receiver helper (issue 15): a delivery verifies with the
 * unit's key (ours and any Standard Webhooks library with the `whsec_` form); a replay — the same
 * webhook-id again, or a timestamp outside the tolerance — is rejected, as are a wrong key and a
 * changed body.
 */
import { Webhook } from 'standardwebhooks';
import { signWebhook, standardWebhookSecret, WebhookReceiver, WebhookVerificationError } from '../../activities/webhook';

const secret = 'unit-webhook-key-0123456789';
const body = JSON.stringify({ id: 'WO-1:3:urge:unit:kf-047', kind: 'urge', workOrderId: 'WO-1' });

function delivery(id: string, at: Date, text = body): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signWebhook(secret, id, at, text) };
}

test('a fresh delivery is accepted once; the same id again is a replay', () => {
  const receiver = new WebhookReceiver(secret);
  const headers = delivery('msg-1', new Date());
  expect(receiver.receive(body, headers)).toMatchObject({ kind: 'urge' });
  expect(() => receiver.receive(body, headers)).toThrow(WebhookVerificationError);
  expect(() => receiver.receive(body, headers)).toThrow(/replay/);
  // The same notification re-sent by a retry (same id, new timestamp and signature) is a replay too.
  expect(() => receiver.receive(body, delivery('msg-1', new Date(Date.now() + 1000)))).toThrow(/replay/);
  // Another id is fine.
  expect(receiver.receive(body, delivery('msg-2', new Date()))).toMatchObject({ workOrderId: 'WO-1' });
});

test('a timestamp outside the tolerance is rejected, even correctly signed', () => {
  const receiver = new WebhookReceiver(secret, { toleranceSeconds: 60 });
  expect(() => receiver.receive(body, delivery('old', new Date(Date.now() - 10 * 60_000)))).toThrow(/timestamp/);
  expect(() => receiver.receive(body, delivery('future', new Date(Date.now() + 10 * 60_000)))).toThrow(/timestamp/);
  expect(() => receiver.receive(body, delivery('edge', new Date(Date.now() - 120_000)))).toThrow(/timestamp/);
  expect(receiver.receive(body, delivery('ok', new Date(Date.now() - 30_000)))).toBeDefined();
});

test('a wrong key, a changed body or missing headers are rejected', () => {
  const headers = delivery('msg-3', new Date());
  expect(() => new WebhookReceiver('another-key-0123456789').receive(body, headers)).toThrow(WebhookVerificationError);
  expect(() => new WebhookReceiver(secret).receive(body.replace('urge', 'closed'), headers)).toThrow(WebhookVerificationError);
  expect(() => new WebhookReceiver(secret).receive(body, { 'webhook-id': 'x' })).toThrow(/headers/);
});

test('any Standard Webhooks library verifies our signature with the whsec_ form of the key', () => {
  const headers = delivery('msg-4', new Date());
  expect(standardWebhookSecret(secret)).toMatch(/^whsec_/);
  expect(new Webhook(standardWebhookSecret(secret)).verify(body, headers)).toMatchObject({ kind: 'urge' });
});
