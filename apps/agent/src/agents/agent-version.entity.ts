import { Column, Entity } from 'typeorm';
import type { AgentSnapshot } from '#contracts';
import { BaseEntity } from '#persistence';

/** One immutable state of an agent's run-affecting fields (a trigger refuses updates). */
@Entity({ schema: 'agent', name: 'agent_versions' })
export class AgentVersionEntity extends BaseEntity {
  @Column('uuid')
  agentId: string;

  @Column('integer')
  version: number;

  @Column('jsonb')
  snapshot: AgentSnapshot;

  @Column('uuid', { nullable: true })
  createdBy: string | null;
}
