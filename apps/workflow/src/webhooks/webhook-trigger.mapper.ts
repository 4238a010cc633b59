import type { WebhookTriggerView } from '#contracts';
import type { WebhookTriggerEntity } from './webhook-trigger.entity.js';

export function toWebhookTriggerView(trigger: WebhookTriggerEntity): WebhookTriggerView {
  return {
    id: trigger.id,
    workflowId: trigger.workflowId,
    name: trigger.name,
    path: `/api/v1/hooks/${trigger.id}`,
    lastDeliveryAt: trigger.lastDeliveryAt?.toISOString() ?? null,
    createdAt: trigger.createdAt.toISOString(),
  };
}
