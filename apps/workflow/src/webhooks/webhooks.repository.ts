import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { LessThan } from 'typeorm';
import { WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookTriggerEntity } from './webhook-trigger.entity.js';

@Injectable()
export class WebhooksRepository {
  constructor(private readonly database: Database) {}

  private get triggers() {
    return this.database.repository(WebhookTriggerEntity);
  }

  private get deliveries() {
    return this.database.repository(WebhookDeliveryEntity);
  }

  async insert(trigger: WebhookTriggerEntity): Promise<void> {
    await this.triggers.insert(trigger);
  }

  findById(id: string): Promise<WebhookTriggerEntity | null> {
    return this.triggers.findOneBy({ id });
  }

  listOfWorkflow(workflowId: string): Promise<WebhookTriggerEntity[]> {
    return this.triggers.find({ where: { workflowId }, order: { id: 'ASC' } });
  }

  findOfWorkflow(workflowId: string, id: string): Promise<WebhookTriggerEntity | null> {
    return this.triggers.findOneBy({ workflowId, id });
  }

  async delete(id: string): Promise<void> {
    await this.triggers.delete({ id });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.triggers.update({ id }, { lastDeliveryAt: at });
  }

  /** Records a delivery id; a second one with the same id fails on webhook_deliveries_trigger_id_delivery_id_uq. */
  async insertDelivery(delivery: WebhookDeliveryEntity): Promise<void> {
    await this.deliveries.insert(delivery);
  }

  async setDeliveryRun(id: string, runId: string): Promise<void> {
    await this.deliveries.update({ id }, { runId });
  }

  async deleteDeliveriesBefore(cutoff: Date): Promise<number> {
    return (await this.deliveries.delete({ createdAt: LessThan(cutoff) })).affected ?? 0;
  }
}
