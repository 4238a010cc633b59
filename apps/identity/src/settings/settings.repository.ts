import { Injectable } from '@nestjs/common';
import type { LlmProvider } from '#contracts';
import { Database, newId } from '#persistence';
import { ProviderKeyEntity } from './provider-key.entity.js';
import { UserSettingsEntity } from './user-settings.entity.js';

@Injectable()
export class SettingsRepository {
  constructor(private readonly database: Database) {}

  find(userId: string): Promise<UserSettingsEntity | null> {
    return this.database.repository(UserSettingsEntity).findOneBy({ userId });
  }

  /**
   * Makes the row if missing, then locks it (in the caller's transaction), so concurrent merges of
   * the jsonb maps do not lose keys. The insert is plain SQL: the Repository API has no
   * ON CONFLICT DO NOTHING, and its upsert would overwrite the row's id.
   */
  async findOrCreateForUpdate(userId: string): Promise<UserSettingsEntity> {
    await this.database.query(`INSERT INTO identity.user_settings (id, user_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, [newId(), userId]);
    return this.database.repository(UserSettingsEntity).findOneOrFail({ where: { userId }, lock: { mode: 'pessimistic_write' } });
  }

  save(settings: UserSettingsEntity): Promise<UserSettingsEntity> {
    return this.database.repository(UserSettingsEntity).save(settings);
  }

  listKeys(userId: string): Promise<ProviderKeyEntity[]> {
    return this.database.repository(ProviderKeyEntity).find({ where: { userId }, order: { provider: 'ASC' } });
  }

  findKey(userId: string, provider: LlmProvider): Promise<ProviderKeyEntity | null> {
    return this.database.repository(ProviderKeyEntity).findOneBy({ userId, provider });
  }

  /** Insert or replace the user's key for this provider in one statement (plain SQL: an upsert that keeps the row's id). */
  async upsertKey(key: Pick<ProviderKeyEntity, 'userId' | 'provider' | 'keyId' | 'ciphertext' | 'last4'>): Promise<ProviderKeyEntity> {
    const [saved] = await this.database.rows(
      ProviderKeyEntity,
      `INSERT INTO identity.provider_keys (id, user_id, provider, key_id, ciphertext, last4) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, provider) DO UPDATE
         SET key_id = EXCLUDED.key_id, ciphertext = EXCLUDED.ciphertext, last4 = EXCLUDED.last4, updated_at = now()
       RETURNING *`,
      [newId(), key.userId, key.provider, key.keyId, key.ciphertext, key.last4],
    );
    return saved;
  }

  async deleteKey(userId: string, provider: LlmProvider): Promise<boolean> {
    const result = await this.database.repository(ProviderKeyEntity).delete({ userId, provider });
    return (result.affected ?? 0) > 0;
  }
}
