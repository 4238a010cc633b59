import { Column, Entity, Index, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';

/** One sign-in in flight: single-use, short-lived, found by a hash of the state sent to the provider. */
@Entity({ schema: 'identity', name: 'oidc_states' })
@Unique('oidc_states_state_hash_uq', ['stateHash'])
@Index('oidc_states_expires_at_idx', ['expiresAt'])
export class OidcStateEntity extends BaseEntity {
  @Column('bytea')
  stateHash: Buffer;

  @Column('text')
  nonce: string;

  /** PKCE: only its S256 challenge went to the browser. */
  @Column('text')
  codeVerifier: string;

  @Column('timestamptz')
  expiresAt: Date;
}
