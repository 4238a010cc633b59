import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type Actor,
  AppError,
  type CreateWebhookTriggerRequest,
  type DeliverWebhookRequest,
  ErrorCode,
  requireUserId,
  RunContracts,
  serviceActor,
  type WebhookDeliveryReply,
  type WebhookTriggerCreated,
  type WebhookTriggerIdRequest,
  type WebhookTriggerList,
  WebhookReceived,
} from '#contracts';
import { associatedData, verifyWebhook } from '#crypto';
import { BUS_CLIENT, type BusClient, type Outbox } from '#messaging';
import { ActingUser, Database, isUniqueViolation, newId } from '#persistence';
import { KEYRING, type MaybeKeyring, OUTBOX } from '#service-kit';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookTriggerEntity } from './webhook-trigger.entity.js';
import { toWebhookTriggerView } from './webhook-trigger.mapper.js';
import { WebhooksErrors } from './webhooks.errors.js';
import { WebhooksRepository } from './webhooks.repository.js';

const SELF = serviceActor('workflow');

/**
 * Inbound webhooks: a trigger runs its workflow with the delivery's JSON body as the inputs. A
 * delivery is signed as libs/crypto signs webhooks (HMAC-SHA256 over "<timestamp>.<body>", five
 * minutes' tolerance) with the trigger's secret, which is shown once and kept sealed under
 * ENCRYPTION_KEYS; a delivery id is accepted once (409 after), and the run is started for the
 * workflow's owner with the trigger and delivery id as its idempotency key. Each accepted delivery
 * is announced (webhook.received) in the same transaction, for the integration service's events log.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly workflows: WorkflowsService,
    private readonly database: Database,
    @Inject(KEYRING) private readonly keyring: MaybeKeyring,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  async create(actor: Actor, request: CreateWebhookTriggerRequest): Promise<WebhookTriggerCreated> {
    const ownerId = requireUserId(actor);
    const workflow = await this.workflows.requireOwned(ownerId, request.id);
    if (!this.keyring) throw WebhooksErrors.noKeys();
    const id = newId();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const sealed = this.keyring.seal(secret, aadOf(id));
    const now = new Date();
    const trigger = Object.assign(new WebhookTriggerEntity(), {
      id,
      workflowId: workflow.id,
      ownerId,
      name: request.name ?? null,
      secretKeyId: sealed.keyId,
      secretCiphertext: sealed.ciphertext,
      lastDeliveryAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.webhooks.insert(trigger);
    return { ...toWebhookTriggerView(trigger), secret };
  }

  async list(actor: Actor, workflowId: string): Promise<WebhookTriggerList> {
    const workflow = await this.workflows.requireOwned(requireUserId(actor), workflowId);
    return { items: (await this.webhooks.listOfWorkflow(workflow.id)).map(toWebhookTriggerView) };
  }

  async delete(actor: Actor, request: WebhookTriggerIdRequest): Promise<void> {
    const workflow = await this.workflows.requireOwned(requireUserId(actor), request.id);
    const trigger = await this.webhooks.findOfWorkflow(workflow.id, request.triggerId);
    if (!trigger) throw WebhooksErrors.notFound();
    await this.webhooks.delete(trigger.id);
  }

  /**
   * One delivery: signature and freshness first (401), then the delivery id (400 without, 409
   * when seen), then the body as inputs. The id is recorded in the same transaction that starts
   * the run, so a delivery whose run could not start can be sent again with the same id.
   */
  async deliver(request: DeliverWebhookRequest): Promise<WebhookDeliveryReply> {
    // An inbound delivery has no user until its trigger names the owner; from there it acts as them.
    const trigger = await ActingUser.system('inbound webhook: find the trigger of a delivery', () => this.webhooks.findById(request.triggerId));
    if (!trigger) throw WebhooksErrors.notFound();
    if (!this.keyring) throw WebhooksErrors.noKeys();
    const secret = this.keyring.open({ keyId: trigger.secretKeyId, ciphertext: trigger.secretCiphertext }, aadOf(trigger.id));
    const check = verifyWebhook(secret, { timestamp: request.timestamp, signature: request.signature }, request.body);
    if (!check.ok) throw check.problem === 'stale' ? WebhooksErrors.stale() : check.problem === 'missing' ? WebhooksErrors.unsigned() : WebhooksErrors.badSignature();
    if (!request.deliveryId) throw WebhooksErrors.noDeliveryId();
    const inputs = inputsOf(request.body);
    const deliveryId = request.deliveryId;
    return ActingUser.run(trigger.ownerId, () => this.record(trigger, deliveryId, inputs, request.body.length));
  }

  /** Records the delivery, starts its run and announces it, in one transaction, as the trigger's owner. */
  private record(trigger: WebhookTriggerEntity, deliveryId: string, inputs: Record<string, unknown>, bodyChars: number): Promise<WebhookDeliveryReply> {
    return this.database.transaction(async () => {
      const delivery = Object.assign(new WebhookDeliveryEntity(), { id: newId(), triggerId: trigger.id, deliveryId, runId: null });
      try {
        await this.webhooks.insertDelivery(delivery);
      } catch (err) {
        if (isUniqueViolation(err, 'webhook_deliveries_trigger_id_delivery_id_uq')) throw WebhooksErrors.replayed();
        throw err;
      }
      let run;
      try {
        run = await this.bus.request(
          RunContracts.startForOwner,
          { ownerId: trigger.ownerId, workflowId: trigger.workflowId, inputs, trigger: { kind: 'webhook', id: trigger.id }, idempotencyKey: `webhook:${trigger.id}:${deliveryId}` },
          { actor: SELF },
        );
      } catch (err) {
        if (err instanceof AppError && (err.code === ErrorCode.VALIDATION_FAILED || err.code === ErrorCode.NOT_FOUND || err.code === ErrorCode.CONFLICT)) throw err;
        throw WebhooksErrors.runsUnavailable();
      }
      await this.webhooks.setDeliveryRun(delivery.id, run.id);
      await this.webhooks.touch(trigger.id, new Date());
      // The integration service keeps the log of what arrived from outside (webhook_received).
      await this.outbox.add(WebhookReceived, { ownerId: trigger.ownerId, workflowId: trigger.workflowId, triggerId: trigger.id, deliveryId, runId: run.id, bodyChars });
      return { runId: run.id, status: run.status };
    });
  }

  /** Forgets delivery ids older than `cutoff`: a replay that old fails the timestamp check anyway. */
  pruneDeliveries(cutoff: Date): Promise<number> {
    return ActingUser.system('purge webhook delivery ids past the replay window', () => this.webhooks.deleteDeliveriesBefore(cutoff));
  }
}

function aadOf(triggerId: string): Buffer {
  return associatedData('workflow.webhook_triggers', triggerId, 'secret');
}

function inputsOf(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw WebhooksErrors.notAnObject();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw WebhooksErrors.notAnObject();
  return parsed as Record<string, unknown>;
}
