import { Check, Column, Entity, Index } from 'typeorm';
import type { CallTargetKind } from '#contracts';
import { BaseEntity } from '#persistence';

/** One tool call made through the integration service (seed 003 UserMcpUsage). Append-only. */
@Entity({ schema: 'integration', name: 'tool_usage' })
@Check('tool_usage_target_kind_ck', `"target_kind" IN ('mcp', 'registry', 'integration')`)
@Index('tool_usage_owner_id_created_at_idx', ['ownerId', 'createdAt'])
@Index('tool_usage_run_id_idx', ['runId'])
export class ToolUsageEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  agentId: string | null;

  @Column('uuid', { nullable: true })
  runId: string | null;

  @Column('text')
  callId: string;

  @Column('text')
  targetKind: CallTargetKind;

  /** The MCP server id, the registry tool id or the provider. */
  @Column('text')
  targetId: string;

  @Column('text')
  toolName: string;

  @Column('integer')
  durationMs: number;

  @Column('boolean')
  success: boolean;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('integer')
  inputBytes: number;

  @Column('integer')
  outputBytes: number;
}
