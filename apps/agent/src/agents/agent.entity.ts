import { Column, Entity } from 'typeorm';
import type { AgentConfiguration, AgentStatus, AgentType, MemorySettings, ModelProvider, ToolReference } from '#contracts';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'agent', name: 'agents' })
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

  @Column('text')
  icon: string;

  @Column('text')
  color: string;

  @Column('text', { nullable: true })
  avatarUrl: string | null;

  @Column('text')
  agentType: AgentType;

  @Column('text')
  status: AgentStatus;

  @Column('text')
  modelProvider: ModelProvider;

  @Column('text')
  modelName: string;

  @Column('text')
  systemPrompt: string;

  @Column('text', { nullable: true })
  qaWho: string | null;

  @Column('text', { nullable: true })
  qaRules: string | null;

  @Column('text', { nullable: true })
  qaTricks: string | null;

  @Column('jsonb')
  tools: ToolReference[];

  @Column('uuid', { array: true })
  knowledgeBaseIds: string[];

  @Column('jsonb')
  memory: MemorySettings;

  @Column('jsonb')
  configuration: AgentConfiguration;

  @Column('text', { nullable: true })
  templateName: string | null;

  @Column('boolean')
  isPublished: boolean;

  @Column('integer', { nullable: true })
  publishedVersion: number | null;

  @Column('boolean')
  isActive: boolean;

  @Column('integer')
  currentVersion: number;

  @Column('timestamptz', { nullable: true })
  deletedAt: Date | null;
}
