import { Injectable } from '@nestjs/common';
import { type Actor, type IntegrationEventList, type IntegrationEventType, type ListIntegrationEventsQuery, requireUserId, type WebhookReceivedEvent } from '#contracts';
import { ActingUser, decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import { IntegrationEventEntity } from './integration-event.entity.js';
import { IntegrationEventsRepository } from './integration-events.repository.js';

export interface NewIntegrationEvent {
  ownerId: string;
  type: IntegrationEventType;
  connectionId?: string | null;
  mcpServerId?: string | null;
  provider?: string | null;
  /** Never a secret: statuses, scopes, error codes, counts. */
  data?: Record<string, unknown>;
}

/** The append-only log of what happened to connections and MCP servers (connected, refreshed, revoked, health changed, ...) and of webhooks received. */
@Injectable()
export class IntegrationEventsService {
  constructor(private readonly events: IntegrationEventsRepository) {}

  /** Appends one event, in the caller's transaction if there is one. */
  async record(event: NewIntegrationEvent): Promise<void> {
    await this.events.insert(
      Object.assign(new IntegrationEventEntity(), {
        id: newId(),
        ownerId: event.ownerId,
        type: event.type,
        connectionId: event.connectionId ?? null,
        mcpServerId: event.mcpServerId ?? null,
        provider: event.provider ?? null,
        data: event.data ?? {},
        occurredAt: new Date(),
      }),
    );
  }

  /** From the workflow service's webhook.received event (the inbox's transaction): ids and size only, never the body. */
  webhookReceived(event: WebhookReceivedEvent): Promise<void> {
    // An event acts for no user: this one is written as the owner it names.
    return ActingUser.run(event.ownerId, () =>
      this.record({
        ownerId: event.ownerId,
        type: 'webhook_received',
        data: { workflowId: event.workflowId, triggerId: event.triggerId, deliveryId: event.deliveryId, runId: event.runId, bodyChars: event.bodyChars },
      }),
    );
  }

  async list(actor: Actor, query: ListIntegrationEventsQuery): Promise<IntegrationEventList> {
    const limit = query.limit ?? 50;
    const rows = await this.events.list({
      ownerId: requireUserId(actor),
      type: query.type,
      connectionId: query.connectionId,
      mcpServerId: query.mcpServerId,
      beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id,
      limit: limit + 1,
    });
    return pageOf(
      rows,
      limit,
      (e) => ({ id: e.id, type: e.type, connectionId: e.connectionId, mcpServerId: e.mcpServerId, provider: e.provider, data: e.data, occurredAt: e.occurredAt.toISOString() }),
      (e) => encodeCursor({ id: e.id }),
    );
  }

  deleteAllOf(ownerId: string): Promise<void> {
    return this.events.deleteByOwner(ownerId);
  }
}
