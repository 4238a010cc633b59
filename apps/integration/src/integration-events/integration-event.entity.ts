import { Check, Column, Entity, Index } from 'typeorm';
import type { IntegrationEventType } from '#contracts';
import { BaseEntity } from '#persistence';

/** What happened to a connection or an MCP server (seed 002 IntegrationEvent). Append-only. */
@Entity({ schema: 'integration', name: 'integration_events' })
@Check(
  'integration_events_event_type_ck',
  `"event_type" IN ('connected', 'refreshed', 'refresh_failed', 'revoked', 'disconnected', 'health_changed', 'webhook_received')`,
)
@Index('integration_events_owner_id_id_idx', ['ownerId', 'id'])
export class IntegrationEventEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('text', { name: 'event_type' })
  type: IntegrationEventType;

  @Column('uuid', { nullable: true })
  connectionId: string | null;

  @Column('uuid', { nullable: true })
  mcpServerId: string | null;

  @Column('text', { nullable: true })
  provider: string | null;

  @Column('jsonb', { default: () => `'{}'` })
  data: Record<string, unknown>;

  @Column('timestamptz', { default: () => 'now()' })
  occurredAt: Date;
}
