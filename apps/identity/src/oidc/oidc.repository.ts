import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { LessThan } from 'typeorm';
import { OidcStateEntity } from './oidc-state.entity.js';

@Injectable()
export class OidcRepository {
  constructor(private readonly database: Database) {}

  async insertState(state: Pick<OidcStateEntity, 'stateHash' | 'nonce' | 'codeVerifier' | 'expiresAt'>): Promise<void> {
    const states = this.database.repository(OidcStateEntity);
    await states.insert(states.create(state));
  }

  async deleteExpiredBefore(before: Date): Promise<void> {
    await this.database.repository(OidcStateEntity).delete({ expiresAt: LessThan(before) });
  }

  /**
   * Deleted as it is read, so a state works once even if two callbacks race. Plain SQL: the
   * Repository API has no DELETE ... RETURNING.
   */
  takeState(stateHash: Buffer): Promise<OidcStateEntity | null> {
    return this.database.row(OidcStateEntity, `DELETE FROM identity.oidc_states WHERE state_hash = $1 RETURNING *`, [stateHash]);
  }
}
