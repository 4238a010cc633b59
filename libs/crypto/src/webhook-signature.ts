import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a signed webhook delivery (inbound triggers and outbound run webhooks alike). */
export const WEBHOOK_HEADERS = {
  timestamp: 'x-webhook-timestamp',
  signature: 'x-webhook-signature',
  id: 'x-webhook-id',
} as const;

/** How far a delivery's timestamp may be from now before it counts as stale (or from the future). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * `v1=<hex HMAC-SHA256 over "<timestamp>.<body>">`: the timestamp is signed with the body, so an
 * old delivery cannot be replayed with a fresh timestamp.
 */
export function signWebhook(secret: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestampSeconds}.`);
  mac.update(body);
  return `v1=${mac.digest('hex')}`;
}

export type WebhookCheck = { ok: true } | { ok: false; problem: 'missing' | 'stale' | 'bad_signature' };

/** Checks a delivery's signature and timestamp in constant time; the caller still rejects replayed delivery ids. */
export function verifyWebhook(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: string | Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): WebhookCheck {
  if (!headers.timestamp || !headers.signature || !/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, problem: 'missing' };
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, problem: 'stale' };
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  // Several signatures may be sent during a secret rotation: any one that matches is enough.
  const matches = headers.signature
    .split(/[\s,]+/)
    .filter((candidate) => candidate.length > 0)
    .some((candidate) => {
      const given = Buffer.from(candidate);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  return matches ? { ok: true } : { ok: false, problem: 'bad_signature' };
}
