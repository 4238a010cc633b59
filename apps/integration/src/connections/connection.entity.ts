import { Check, Column, Entity, Index } from 'typeorm';
import type { ConnectionStatus } from '#contracts';
import { BaseEntity } from '#persistence';

/** An account a user connected with OAuth (seed 000 list_account, seed 002 IntegrationConnection, seed 003 UserAuthToken). */
@Entity({ schema: 'integration', name: 'connections' })
@Check('connections_status_ck', `"status" IN ('connected', 'needs_reauth', 'revoked')`)
@Index('connections_owner_id_id_idx', ['ownerId', 'id'])
@Index('connections_refresh_due_at_idx', ['refreshDueAt'], { where: `"status" = 'connected'` })
export class ConnectionEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  /** Seed 000: an account per agent; null for an account every agent of the owner uses. */
  @Column('uuid', { nullable: true })
  agentId: string | null;

  @Column('text')
  provider: string;

  @Column('text', { nullable: true })
  accountEmail: string | null;

  @Column('text', { array: true, default: () => `'{}'` })
  scopes: string[];

  /** One unified token JSON (access, refresh, type), sealed with the owner and the row bound in. */
  @Column('text')
  credentialsSealed: string;

  @Column('text', { default: 'connected' })
  status: ConnectionStatus;

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  /** When the refresher takes it: some minutes before expiry, minus jitter. */
  @Column('timestamptz', { nullable: true })
  refreshDueAt: Date | null;

  /** The replica refreshing it holds this lease: one refresh per expiry across every replica. */
  @Column('timestamptz', { nullable: true })
  refreshLeaseUntil: Date | null;

  @Column('timestamptz', { nullable: true })
  lastRefreshedAt: Date | null;
}
