import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { IsNull, LessThan, Or } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity.js';

/** A key found by its hash, with its owner's flags: what the credential check decides on. */
export interface ApiKeyState {
  id: string;
  userId: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  isActive: boolean;
  isSuperuser: boolean;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly database: Database) {}

  private get keys() {
    return this.database.repository(ApiKeyEntity);
  }

  insert(key: Pick<ApiKeyEntity, 'userId' | 'name' | 'prefix' | 'keyHash' | 'scopes' | 'expiresAt'>): Promise<ApiKeyEntity> {
    return this.keys.save(this.keys.create({ ...key, lastUsedAt: null, revokedAt: null }));
  }

  /** Live keys only: revoked ones are kept for the record but never listed. */
  listLive(userId: string): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { userId, revokedAt: IsNull() }, order: { id: 'DESC' } });
  }

  countLive(userId: string): Promise<number> {
    return this.keys.countBy({ userId, revokedAt: IsNull() });
  }

  /** Scoped to the owner: another user's id matches nothing, which the caller reports as not found. */
  async revoke(userId: string, id: string): Promise<boolean> {
    const result = await this.keys.update({ id, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.keys.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /**
   * Asked on every request made with an API key: one statement through database.query, as plain
   * SQL because the Repository API needs two reads for the key and its owner and costs about twice
   * the CPU per read on this path.
   */
  async findByHash(hash: Buffer): Promise<ApiKeyState | null> {
    const [row] = await this.database.query<ApiKeyState>(
      `SELECT k.id, k.user_id AS "userId", k.scopes, k.expires_at AS "expiresAt", k.revoked_at AS "revokedAt", k.last_used_at AS "lastUsedAt",
              u.is_active AS "isActive", u.is_superuser AS "isSuperuser"
         FROM identity.api_keys k JOIN identity.users u ON u.id = k.user_id
        WHERE k.key_hash = $1`,
      [hash],
    );
    return row ?? null;
  }

  /** Guarded by the age check as well, so concurrent requests with one key write it once. */
  async touch(id: string, staleBefore: Date): Promise<void> {
    await this.keys.update({ id, lastUsedAt: Or(IsNull(), LessThan(staleBefore)) }, { lastUsedAt: new Date() });
  }
}
