import { Column, Entity, ForeignKey, JoinColumn, ManyToOne, Unique } from 'typeorm';
import type { AgentSnapshot } from '#contracts';
import { BaseEntity } from '#persistence';
import { AgentEntity } from './agent.entity.js';

/** One immutable state of an agent's run-affecting fields (a trigger refuses updates). */
@Entity({ schema: 'agent', name: 'agent_versions' })
@Unique('agent_versions_agent_id_version_uq', ['agentId', 'version'])
@ForeignKey(() => AgentEntity, ['agentId', 'ownerId'], ['id', 'ownerId'], { name: 'agent_versions_parent_owner_fk' })
export class AgentVersionEntity extends BaseEntity {
  @Column('uuid')
  agentId: string;

  /** Declared for the foreign key (versions go with their agent); never loaded. */
  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'agent_versions_agent_id_fkey' })
  agent?: AgentEntity;

  /**
   * The agent's owner, for row-level security (enableCarriedOwnerRowSecurity): filled by the
   * database on insert when not given, and bound to the agent's by the foreign key above.
   */
  @Column('uuid')
  ownerId?: string;

  @Column('integer')
  version: number;

  @Column('jsonb')
  snapshot: AgentSnapshot;

  @Column('uuid', { nullable: true })
  createdBy: string | null;
}
