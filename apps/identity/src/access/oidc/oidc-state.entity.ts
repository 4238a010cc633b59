import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

/** One sign-in in flight: single-use, short-lived, found by a hash of the state sent to the provider. */
@Entity({ schema: 'identity', name: 'oidc_states' })
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
