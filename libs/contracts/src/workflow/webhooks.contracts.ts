import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Empty, rpc } from '../contract.js';
import { WorkflowIdRequest } from './workflows.contracts.js';

/** Largest body an inbound webhook delivery may carry (it travels in one bus message). */
export const MAX_WEBHOOK_BODY_CHARS = 256_000;

export class CreateWebhookTriggerBody {
  @ApiPropertyOptional({ maxLength: 100, description: 'A label, e.g. the system that calls it' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}

export class CreateWebhookTriggerRequest extends CreateWebhookTriggerBody {
  @IsUUID()
  id: string;
}

export class WebhookTriggerIdRequest {
  @IsUUID()
  id: string;

  @IsUUID()
  triggerId: string;
}

export class WebhookTriggerView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) workflowId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ example: '/api/v1/hooks/<id>', description: 'Where callers POST deliveries' }) path: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastDeliveryAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/** A new trigger: its signing secret is shown this once (it is kept encrypted). */
export class WebhookTriggerCreated extends WebhookTriggerView {
  @ApiProperty({ description: 'The HMAC-SHA256 signing secret; shown only now' }) secret: string;
}

export class WebhookTriggerList {
  @ApiProperty({ type: [WebhookTriggerView] }) items: WebhookTriggerView[];
}

/** One delivery to POST /hooks/:triggerId, as the gateway received it: the signature headers and the exact body. */
export class DeliverWebhookRequest {
  @IsUUID()
  triggerId: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  timestamp?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  signature?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  deliveryId?: string;

  @IsString()
  @MaxLength(MAX_WEBHOOK_BODY_CHARS)
  body: string;
}

export class WebhookDeliveryReply {
  @ApiProperty({ format: 'uuid', description: 'The run the delivery started (the body is its inputs)' }) runId: string;
  @ApiProperty({ example: 'queued' }) status: string;
}

export const WebhookContracts = {
  create: rpc('workflow.webhooks.create', CreateWebhookTriggerRequest, WebhookTriggerCreated),
  list: rpc('workflow.webhooks.list', WorkflowIdRequest, WebhookTriggerList),
  delete: rpc('workflow.webhooks.delete', WebhookTriggerIdRequest, Empty),
  deliver: rpc('workflow.webhooks.deliver', DeliverWebhookRequest, WebhookDeliveryReply),
} as const;
