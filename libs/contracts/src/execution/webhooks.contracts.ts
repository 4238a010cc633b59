import { ApiProperty } from '@nestjs/swagger';
import { Empty, rpc } from '../contract.js';

/** The secret that signs your runs' webhook deliveries (HMAC-SHA256 over `<timestamp>.<body>`). */
export class WebhookSecretView {
  @ApiProperty({ example: 'whsec_...', description: 'Verify x-webhook-signature with it; keep it secret' }) secret: string;
  @ApiProperty({ format: 'date-time', description: 'When this secret was made (first read, or the last rotation)' }) createdAt: string;
}

export class WebhookSecretRequest extends Empty {}

export const RunWebhookContracts = {
  /** The caller's signing secret, made on first use. */
  secret: rpc('execution.webhooks.secret', WebhookSecretRequest, WebhookSecretView),
  /** A new signing secret; deliveries signed from now on use it. */
  rotateSecret: rpc('execution.webhooks.rotate-secret', WebhookSecretRequest, WebhookSecretView),
} as const;
