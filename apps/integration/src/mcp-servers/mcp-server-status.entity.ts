import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import type { McpHealthStatus } from '#contracts';
import { BaseEntity } from '#persistence';

/** One health check of a server (seed 003 McpServerStatus history). */
@Entity({ schema: 'integration', name: 'mcp_server_statuses' })
@Check('mcp_server_statuses_status_ck', `"status" IN ('unknown', 'healthy', 'unhealthy', 'needs_auth')`)
@Index('mcp_server_statuses_server_id_checked_at_idx', ['serverId', 'checkedAt'])
export class McpServerStatusEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('mcp_servers', { name: 'mcp_server_statuses_server_id_fkey', onDelete: 'CASCADE' })
  serverId: string;

  @Column('text')
  status: McpHealthStatus;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('integer', { nullable: true })
  latencyMs: number | null;

  @Column('integer', { nullable: true })
  toolCount: number | null;

  @Column('timestamptz', { default: () => 'now()' })
  checkedAt: Date;
}
