/**
 * Signed webhook delivery to a unit (per-unit URL and key from the `units` table), per the
 * Standard Webhooks convention (https://www.standardwebhooks.com, the `standardwebhooks`
 * package): headers `webhook-id` (the notification id: the same on every retry, so receivers
 * de-duplicate on it), `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`). The unit's key is used as raw bytes
 * (UTF-8 of `webhook_secret`); a receiver using another Standard Webhooks library passes
 * `whsec_` + base64 of it. {@link WebhookReceiver} is the receiving side, with replay protection.
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export { WebhookVerificationError };

/** `webhook-signature` for one delivery attempt. */
export function signWebhook(secret: string, id: string, timestamp: Date, body: string): string {
  return new Webhook(Buffer.from(secret, 'utf8').toString('base64')).sign(id, timestamp, body);
}

/** The `whsec_…` form of a unit's key, for receivers using any Standard Webhooks library. */
export function standardWebhookSecret(secret: string): string {
  return `whsec_${Buffer.from(secret, 'utf8').toString('base64')}`;
}

/**
 * The receiving side (for units' integrators and tests): verifies the signature and the
 * timestamp (within `toleranceSeconds`, default 5 minutes, the convention's) and rejects a
 * replay — a `webhook-id` already accepted within the tolerance window. Keep one instance per
 * receiving process (the ids seen are in memory; a multi-process receiver shares them in its
 * database instead).
 */
export class WebhookReceiver {
  private readonly webhook: Webhook;
  private readonly seen = new Map<string, number>();

  constructor(
    secret: string,
    /** `toleranceSeconds`: at most 300 (the library's own window, against the real clock). */
    private readonly options: { toleranceSeconds?: number } = {},
  ) {
    this.webhook = new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
  }

  /**
   * @returns the parsed body
   * @throws WebhookVerificationError for a bad signature, a stale or future timestamp, or a replay
   */
  receive(body: string, headers: Record<string, string | string[] | undefined>): unknown {
    const one = (name: string) => {
      const v = headers[name] ?? headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const id = one('webhook-id');
    const timestamp = Number(one('webhook-timestamp'));
    const signature = one('webhook-signature');
    if (!id || !signature || !Number.isFinite(timestamp)) throw new WebhookVerificationError('Missing required headers');
    const now = Date.now() / 1000;
    const tolerance = this.options.toleranceSeconds ?? 5 * 60;
    if (Math.abs(now - timestamp) > tolerance) throw new WebhookVerificationError('Message timestamp outside tolerance');
    // The library checks the signature (and its own 5-minute window).
    const payload = this.webhook.verify(body, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature });
    for (const [seenId, until] of this.seen) if (until < now) this.seen.delete(seenId);
    if (this.seen.has(id)) throw new WebhookVerificationError('Message already received (replay)');
    this.seen.set(id, now + tolerance);
    return payload;
  }
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
  // The wall clock, also in sandbox mode: receivers check it against theirs.
  const sentAt = new Date();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': d.deliveryId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
  };
  if (d.secret) headers['webhook-signature'] = signWebhook(d.secret, d.deliveryId, sentAt, d.body);
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
