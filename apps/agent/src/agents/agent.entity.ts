import { Check, Column, Entity, Index } from 'typeorm';
import type { AgentConfiguration, AgentStatus, AgentType, MemorySettings, ModelProvider, ToolReference } from '#contracts';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'agent', name: 'agents' })
@Check('agents_agent_type_ck', `"agent_type" IN ('assistive', 'automation')`)
@Check('agents_status_ck', `"status" IN ('created', 'running', 'stopped', 'error')`)
@Check('agents_current_version_ck', `"current_version" >= 1`)
@Check('agents_published_version_ck', `"published_version" IS NULL OR "published_version" BETWEEN 1 AND "current_version"`)
// Lists page by id (time-ordered) within one owner; the migration orders "id" DESC, which @Index cannot say.
@Index('agents_owner_id_id_idx', ['ownerId', 'id'])
// What the versions' (agent, owner) foreign key refers to (row-level security).
@Index('agents_id_owner_uq', ['id', 'ownerId'], { unique: true })
@Index('agents_project_id_idx', ['projectId'], { where: '"project_id" IS NOT NULL' })
export class AgentEntity extends BaseEntity {
  /** A user of the identity service; no foreign key across schemas (user.deleted cleans up). */
  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  projectId: string | null;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text', { default: 'bot' })
  icon: string;

  @Column('text', { default: '#7C3AED' })
  color: string;

  @Column('text', { nullable: true })
  avatarUrl: string | null;

  @Column('text', { default: 'assistive' })
  agentType: AgentType;

  @Column('text', { default: 'created' })
  status: AgentStatus;

  @Column('text')
  modelProvider: ModelProvider;

  @Column('text')
  modelName: string;

  @Column('text', { default: '' })
  systemPrompt: string;

  @Column('text', { nullable: true })
  qaWho: string | null;

  @Column('text', { nullable: true })
  qaRules: string | null;

  @Column('text', { nullable: true })
  qaTricks: string | null;

  @Column('jsonb', { default: () => `'[]'` })
  tools: ToolReference[];

  @Column('uuid', { array: true, default: () => `'{}'` })
  knowledgeBaseIds: string[];

  @Column('jsonb', { default: () => `'{"size": 20, "strategy": "window"}'` })
  memory: MemorySettings;

  @Column('jsonb', { default: () => `'{}'` })
  configuration: AgentConfiguration;

  @Column('text', { nullable: true })
  templateName: string | null;

  @Column('boolean', { default: false })
  isPublished: boolean;

  @Column('integer', { nullable: true })
  publishedVersion: number | null;

  @Column('boolean', { default: true })
  isActive: boolean;

  @Column('integer', { default: 1 })
  currentVersion: number;

  @Column('timestamptz', { nullable: true })
  deletedAt: Date | null;
}
