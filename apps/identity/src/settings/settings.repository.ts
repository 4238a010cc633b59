import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { newId } from '#persistence';
import { ProviderKeyEntity } from './provider-key.entity.js';
import { UserSettingsEntity } from './user-settings.entity.js';

@Injectable()
export class SettingsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  find(userId: string): Promise<UserSettingsEntity | null> {
    return this.dataSource.getRepository(UserSettingsEntity).findOneBy({ userId });
  }

  /** Makes the row if missing, then locks it, so concurrent merges of the jsonb maps do not lose keys. */
  async findOrCreateForUpdate(manager: EntityManager, userId: string): Promise<UserSettingsEntity> {
    await manager.query(`INSERT INTO "identity"."user_settings" ("id", "user_id") VALUES ($1, $2) ON CONFLICT ("user_id") DO NOTHING`, [newId(), userId]);
    return manager.getRepository(UserSettingsEntity).createQueryBuilder('s').setLock('pessimistic_write').where('s.user_id = :userId', { userId }).getOneOrFail();
  }

  save(manager: EntityManager, settings: UserSettingsEntity): Promise<UserSettingsEntity> {
    return manager.getRepository(UserSettingsEntity).save(settings);
  }

  listKeys(userId: string): Promise<ProviderKeyEntity[]> {
    return this.dataSource.getRepository(ProviderKeyEntity).find({ where: { userId }, order: { provider: 'ASC' } });
  }

  findKey(userId: string, provider: string): Promise<ProviderKeyEntity | null> {
    return this.dataSource.getRepository(ProviderKeyEntity).findOneBy({ userId, provider: provider as ProviderKeyEntity['provider'] });
  }

  /** Insert or replace the user's key for this provider in one statement. */
  async upsertKey(key: Pick<ProviderKeyEntity, 'userId' | 'provider' | 'keyId' | 'ciphertext' | 'last4'>): Promise<ProviderKeyEntity> {
    await this.dataSource.query(
      `INSERT INTO "identity"."provider_keys" ("id", "user_id", "provider", "key_id", "ciphertext", "last4")
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ("user_id", "provider") DO UPDATE
         SET "key_id" = EXCLUDED."key_id", "ciphertext" = EXCLUDED."ciphertext", "last4" = EXCLUDED."last4", "updated_at" = now()`,
      [newId(), key.userId, key.provider, key.keyId, key.ciphertext, key.last4],
    );
    return this.dataSource.getRepository(ProviderKeyEntity).findOneByOrFail({ userId: key.userId, provider: key.provider });
  }

  async deleteKey(userId: string, provider: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(ProviderKeyEntity).delete({ userId, provider: provider as ProviderKeyEntity['provider'] });
    return (result.affected ?? 0) > 0;
  }
}
