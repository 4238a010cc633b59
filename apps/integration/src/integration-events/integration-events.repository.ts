import { Injectable } from '@nestjs/common';
import type { IntegrationEventType } from '#contracts';
import { Database } from '#persistence';
import { LessThan, type FindOptionsWhere, type QueryDeepPartialEntity } from 'typeorm';

import { IntegrationEventEntity } from './integration-event.entity.js';

export interface EventFilter {
  ownerId: string;
  type?: IntegrationEventType;
  connectionId?: string;
  mcpServerId?: string;
  beforeId?: string;
  limit: number;
}

@Injectable()
export class IntegrationEventsRepository {
  constructor(private readonly database: Database) {}

  private get events() {
    return this.database.repository(IntegrationEventEntity);
  }

  async insert(event: IntegrationEventEntity): Promise<void> {
    await this.events.insert(event as QueryDeepPartialEntity<IntegrationEventEntity>);
  }

  list(filter: EventFilter): Promise<IntegrationEventEntity[]> {
    const where: FindOptionsWhere<IntegrationEventEntity> = { ownerId: filter.ownerId };
    if (filter.type) where.type = filter.type;
    if (filter.connectionId) where.connectionId = filter.connectionId;
    if (filter.mcpServerId) where.mcpServerId = filter.mcpServerId;
    if (filter.beforeId) where.id = LessThan(filter.beforeId);
    return this.events.find({ where, order: { id: 'DESC' }, take: filter.limit });
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.events.delete({ ownerId });
  }
}
