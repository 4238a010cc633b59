import { Column, Entity, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';

/** An authorization under way: the state (stored hashed) binds the callback to the user and the agent; the PKCE verifier is sealed. */
@Entity({ schema: 'integration', name: 'oauth_states' })
@Unique('oauth_states_state_hash_uq', ['stateHash'])
export class OAuthStateEntity extends BaseEntity {
  @Column('text')
  stateHash: string;

  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  agentId: string | null;

  @Column('text')
  provider: string;

  @Column('text')
  codeVerifierSealed: string;

  @Column('timestamptz')
  expiresAt: Date;
}
