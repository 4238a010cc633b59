import { Inject, Injectable } from '@nestjs/common';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';
import { OidcStateEntity } from './oidc-state.entity.js';

@Injectable()
export class OidcRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async saveState(state: Pick<OidcStateEntity, 'stateHash' | 'nonce' | 'codeVerifier' | 'expiresAt'>): Promise<void> {
    const repo = this.dataSource.getRepository(OidcStateEntity);
    await repo.insert(repo.create({ id: newId(), ...state }));
    // Abandoned sign-ins are swept as new ones start; the table stays the size of the traffic in flight.
    await this.dataSource.query(`DELETE FROM identity.oidc_states WHERE expires_at < now() - interval '1 hour'`);
  }

  /** Deleted as it is read: a state works once, even if two callbacks race. */
  async takeState(stateHash: Buffer): Promise<{ nonce: string; codeVerifier: string; expiresAt: Date } | null> {
    const [rows]: [{ nonce: string; code_verifier: string; expires_at: Date }[], number] = await this.dataSource.query(
      `DELETE FROM identity.oidc_states WHERE state_hash = $1 RETURNING nonce, code_verifier, expires_at`,
      [stateHash],
    );
    const row = rows[0];
    return row ? { nonce: row.nonce, codeVerifier: row.code_verifier, expiresAt: row.expires_at } : null;
  }

  findByExternalId(manager: EntityManager, provider: string, subject: string): Promise<UserEntity | null> {
    return manager
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .where('u.external_provider = :provider AND u.external_id = :subject', { provider, subject })
      .setLock('pessimistic_write')
      .getOne();
  }

  async findByEmailWithLink(manager: EntityManager, email: string): Promise<{ user: UserEntity; externalProvider: string | null } | null> {
    const user = await manager.getRepository(UserEntity).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).setLock('pessimistic_write').getOne();
    if (!user) return null;
    const rows: { external_provider: string | null }[] = await manager.query(`SELECT external_provider FROM identity.users WHERE id = $1`, [user.id]);
    return { user, externalProvider: rows[0]?.external_provider ?? null };
  }

  async link(manager: EntityManager, userId: string, provider: string, subject: string): Promise<void> {
    await manager.query(`UPDATE identity.users SET external_provider = $2, external_id = $3, updated_at = now() WHERE id = $1`, [userId, provider, subject]);
  }
}
