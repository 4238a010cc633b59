import { IsInt, IsString, IsUUID, Max, Min, MaxLength } from 'class-validator';
import { event } from '../contract.js';
import { MAX_WEBHOOK_BODY_CHARS } from './webhooks.contracts.js';

/** A signed delivery a webhook trigger accepted (the run it started included); never its body or headers. */
export class WebhookReceivedEvent {
  @IsUUID()
  ownerId: string;

  @IsUUID()
  workflowId: string;

  @IsUUID()
  triggerId: string;

  /** The caller's delivery id (accepted once per trigger). */
  @IsString()
  @MaxLength(200)
  deliveryId: string;

  @IsUUID()
  runId: string;

  /** Length of the body, in characters. */
  @IsInt()
  @Min(0)
  @Max(MAX_WEBHOOK_BODY_CHARS)
  bodyChars: number;
}

/** The integration service records each one in its events log (`webhook_received`). */
export const WebhookReceived = event('events.workflow.webhook.received', WebhookReceivedEvent);
