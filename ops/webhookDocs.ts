/**
 * The unit webhook, as OpenAPI 3.1 `webhooks` (issue 15): what a unit's endpoint receives
 * (activities/webhook.ts, activities/index.ts `notify`), signed per Standard Webhooks.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { NotificationKind } from '../workflows/types';

const kinds = [
  'newWorkOrder', 'urge', 'escalation', 'supervision', 'returnRequested', 'returnReviewed', 'extensionRequested',
  'extensionReviewed', 'replySubmitted', 'replySentBack', 'reHandle', 'expertEvaluation', 'expertReminder', 'expertWithdrawn',
  'withdrawn', 'closed',
] as const satisfies readonly NotificationKind[];

export const webhookPayloadSchema = z
  .object({
    id: z.string().describe('the notification id; equals the webhook-id header and stays the same on every retry'),
    kind: z.enum(kinds),
    workOrderId: z.string(),
    unitId: z.string().describe('the unit addressed'),
    at: z.string().describe('when the event happened (ISO 8601 with offset)'),
    payload: z.record(z.string(), z.unknown()).describe('details of the event; never the caller’s identity or phone'),
  });

/** Registers the `notification` webhook. */
export function registerWebhooks(registry: OpenAPIRegistry): void {
  registry.registerWebhook({
    method: 'post',
    path: 'notification',
    tags: ['webhooks'],
    summary: 'A notification to a unit (POST to the unit’s webhookUrl)',
    description:
      'Signed per Standard Webhooks (https://www.standardwebhooks.com): verify `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` under the unit’s webhookSecret as raw UTF-8 bytes, i.e. `whsec_` + base64 of it for standard libraries), reject a timestamp more than 5 minutes off and a webhook-id already seen (a retry re-sends the same id). Answer 2xx to acknowledge; 4xx other than 408/429 stops retries; anything else is retried.',
    request: {
      headers: z.object({
        'webhook-id': z.string().describe('unique per notification; de-duplicate on it'),
        'webhook-timestamp': z.string().regex(/^\d+$/).describe('Unix seconds of this attempt'),
        'webhook-signature': z.string().describe('space-separated `v1,<base64>` signatures'),
      }),
      body: { content: { 'application/json': { schema: webhookPayloadSchema } } },
    },
    responses: { 200: { description: 'received (any 2xx)' }, 410: { description: 'refused (4xx): not retried' } },
  });
}
