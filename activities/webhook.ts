/**
 * Signed webhook delivery to a unit (per-unit URL and HMAC key from the `units` table).
 *
 * The receiver verifies `X-Hotline-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body
 * under the unit's `webhook_secret`, and de-duplicates on `X-Hotline-Delivery` (a retried
 * activity may deliver twice; the id stays the same).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature header value for `body` under `secret`: `sha256=<hex>`. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Whether `signature` is `body` signed with `secret` (constant-time; for receivers and tests). */
export function verifyWebhook(secret: string, body: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signWebhook(secret, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface WebhookDelivery {
  url: string;
  secret: string | null;
  deliveryId: string;
  body: string;
}

/**
 * POSTs one delivery; resolves on a 2xx answer, throws otherwise (the activity retry policy
 * retries). Gives up on one attempt after `timeoutMs`.
 */
export async function deliverWebhook(fetchImpl: typeof fetch, d: WebhookDelivery, timeoutMs = 10_000): Promise<void> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-hotline-delivery': d.deliveryId,
  };
  if (d.secret) headers['x-hotline-signature'] = signWebhook(d.secret, d.body);
  const res = await fetchImpl(d.url, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(timeoutMs) });
  // Drain the body so the connection is reused; its content does not matter.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new WebhookError(`webhook answered HTTP ${res.status}`, res.status);
}

/** A delivery the receiver answered with a non-2xx status. */
export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'WebhookError';
  }

  /** 4xx other than 408 (timeout) and 429 (slow down): the receiver refuses; retrying will not help. */
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}
