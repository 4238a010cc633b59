import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { In, LessThan, type FindOptionsWhere, type QueryDeepPartialEntity } from 'typeorm';

import { HttpToolEntity } from './http-tool.entity.js';

@Injectable()
export class ToolRegistryRepository {
  constructor(private readonly database: Database) {}

  private get tools() {
    return this.database.repository(HttpToolEntity);
  }

  /** The owner's tool, or null: another owner's tool is not found. */
  findOwned(ownerId: string, id: string): Promise<HttpToolEntity | null> {
    return this.tools.findOneBy({ id, ownerId });
  }

  /** The owner's tools among `ids` (the others are missing or another owner's). */
  findOwnedIn(ownerId: string, ids: string[]): Promise<HttpToolEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.tools.findBy({ ownerId, id: In(ids) });
  }

  findByName(ownerId: string, name: string): Promise<HttpToolEntity | null> {
    return this.tools.findOneBy({ ownerId, name });
  }

  /** Newest first, after `beforeId`. */
  list(ownerId: string, limit: number, beforeId?: string, activeOnly = false): Promise<HttpToolEntity[]> {
    const where: FindOptionsWhere<HttpToolEntity> = { ownerId };
    if (beforeId) where.id = LessThan(beforeId);
    if (activeOnly) where.isActive = true;
    return this.tools.find({ where, order: { id: 'DESC' }, take: limit });
  }

  async insert(tool: HttpToolEntity): Promise<HttpToolEntity> {
    await this.tools.insert(tool as QueryDeepPartialEntity<HttpToolEntity>);
    return (await this.tools.findOneBy({ id: tool.id })) as HttpToolEntity;
  }

  async save(tool: HttpToolEntity): Promise<HttpToolEntity> {
    const { id, createdAt: _createdAt, updatedAt: _updatedAt, ...columns } = tool;
    await this.tools.update({ id }, { ...columns, updatedAt: new Date() } as QueryDeepPartialEntity<HttpToolEntity>);
    return (await this.tools.findOneBy({ id })) as HttpToolEntity;
  }

  async delete(ownerId: string, id: string): Promise<boolean> {
    return ((await this.tools.delete({ id, ownerId })).affected ?? 0) > 0;
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.tools.delete({ ownerId });
  }
}
