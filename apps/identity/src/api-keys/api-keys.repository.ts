import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity.js';

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  insert(manager: EntityManager, key: Pick<ApiKeyEntity, 'id' | 'userId' | 'name' | 'prefix' | 'keyHash' | 'scopes' | 'expiresAt'>): Promise<ApiKeyEntity> {
    const repo = manager.getRepository(ApiKeyEntity);
    return repo.save(repo.create({ ...key, lastUsedAt: null, revokedAt: null }));
  }

  /** Live keys only: revoked ones are kept for the record but never listed. */
  listLive(userId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ where: { userId, revokedAt: IsNull() }, order: { id: 'DESC' } });
  }

  /** Scoped to the owner: another user's id matches nothing, which the caller reports as not found. */
  async revoke(manager: EntityManager, userId: string, id: string): Promise<boolean> {
    const result = await manager.getRepository(ApiKeyEntity).update({ id, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async revokeAllOf(manager: EntityManager, userId: string): Promise<void> {
    await manager.getRepository(ApiKeyEntity).update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
