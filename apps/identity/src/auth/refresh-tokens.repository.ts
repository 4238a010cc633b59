import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { RefreshTokenEntity } from './refresh-token.entity.js';

@Injectable()
export class RefreshTokensRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  insert(manager: EntityManager, token: Omit<RefreshTokenEntity, 'createdAt' | 'updatedAt' | 'revokedAt' | 'replacedById'> & Partial<RefreshTokenEntity>): Promise<RefreshTokenEntity> {
    const repo = manager.getRepository(RefreshTokenEntity);
    return repo.save(repo.create({ revokedAt: null, replacedById: null, ...token }));
  }

  /** Locks the row: two concurrent refreshes with one token cannot both succeed. */
  findForUpdate(manager: EntityManager, id: string): Promise<RefreshTokenEntity | null> {
    return manager.getRepository(RefreshTokenEntity).createQueryBuilder('t').setLock('pessimistic_write').where('t.id = :id', { id }).getOne();
  }

  async markReplaced(manager: EntityManager, id: string, replacedById: string): Promise<void> {
    await manager.getRepository(RefreshTokenEntity).update({ id }, { revokedAt: new Date(), replacedById });
  }

  async revoke(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(RefreshTokenEntity).update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.getRepository(RefreshTokenEntity).update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
