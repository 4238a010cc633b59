import { Check, Column, Entity, Index } from 'typeorm';
import type { McpHealthStatus, McpSlotTarget, McpTransport } from '#contracts';
import { BaseEntity } from '#persistence';

/** What the last discovery read of one tool of a server. */
export interface DiscoveredTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  idempotent: boolean;
}

export interface CredentialSlot {
  name: string;
  target: McpSlotTarget;
  description: string | null;
}

/** An MCP server (seed 001 mcp_servers, seed 003 UserMcpInstance and McpServerStatus's latest state). */
@Entity({ schema: 'integration', name: 'mcp_servers' })
@Check('mcp_servers_transport_ck', `"transport" IN ('streamable_http', 'sse', 'stdio')`)
@Check('mcp_servers_health_status_ck', `"health_status" IN ('unknown', 'healthy', 'unhealthy', 'needs_auth')`)
@Check('mcp_servers_oauth_ck', `"connection_id" IS NULL OR "oauth_provider" IS NOT NULL`)
@Index('mcp_servers_owner_id_id_idx', ['ownerId', 'id'])
@Index('mcp_servers_is_shared_idx', ['id'], { where: '"is_shared"' })
export class McpServerEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  projectId: string | null;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text')
  transport: McpTransport;

  @Column('text', { nullable: true })
  url: string | null;

  @Column('text', { nullable: true })
  command: string | null;

  @Column('jsonb', { default: () => `'[]'` })
  args: string[];

  /** Names of the environment values (shown); the values are sealed together in envSealed. */
  @Column('text', { array: true, default: () => `'{}'` })
  envNames: string[];

  @Column('text', { nullable: true })
  envSealed: string | null;

  @Column('text', { array: true, default: () => `'{}'` })
  headerNames: string[];

  @Column('text', { nullable: true })
  headersSealed: string | null;

  @Column('jsonb', { default: () => `'[]'` })
  credentialSlots: CredentialSlot[];

  /**
   * The owner's OAuth connection whose access token the server gets (MCP authorization): the
   * integration service's own connections row, refreshed as any connection is. Kept when the
   * connection goes, so the server reports needs_auth rather than calling without a token.
   */
  @Column('uuid', { nullable: true })
  connectionId: string | null;

  /** The provider of that connection: each other user of a shared server sends their own connection of it. */
  @Column('text', { nullable: true })
  oauthProvider: string | null;

  @Column('boolean', { default: false })
  isShared: boolean;

  @Column('boolean', { default: true })
  isEnabled: boolean;

  @Column('text', { default: 'unknown' })
  healthStatus: McpHealthStatus;

  @Column('timestamptz', { nullable: true })
  lastCheckedAt: Date | null;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('jsonb', { default: () => `'[]'` })
  tools: DiscoveredTool[];

  @Column('timestamptz', { nullable: true })
  toolsDiscoveredAt: Date | null;
}
