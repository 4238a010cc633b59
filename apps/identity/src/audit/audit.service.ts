import { Injectable } from '@nestjs/common';
import type { Actor, AuditPage, ListAuditLogRequest } from '#contracts';
import type { EntityManager } from 'typeorm';
import { requireSuperuser } from '../admin/admin.errors.js';
import { AuditLogRepository } from './audit.repository.js';
import { toAuditEntryView } from './audit.mapper.js';

export interface AuditEvent {
  action: string;
  targetType?: string;
  targetId?: string;
  /** Never a secret: ids, names, counts and flags only. */
  metadata?: Record<string, unknown>;
  /** Who acted, when it is not the actor of the request (for example a login by email). */
  actorId?: string | null;
}

const DEFAULT_PAGE = 50;

@Injectable()
export class AuditService {
  constructor(private readonly log: AuditLogRepository) {}

  /** Written in the caller's transaction when there is one, so the record and the change commit together. */
  record(actor: Actor, event: AuditEvent, manager?: EntityManager): Promise<void> {
    return this.log.append(manager, {
      actorId: event.actorId !== undefined ? event.actorId : (actor.userId ?? null),
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ?? null,
      metadata: event.metadata ?? {},
    });
  }

  async list(request: ListAuditLogRequest, actor: Actor): Promise<AuditPage> {
    requireSuperuser(actor);
    const limit = request.limit ?? DEFAULT_PAGE;
    const rows = await this.log.list({
      action: request.action,
      actorId: request.actorId,
      targetType: request.targetType,
      targetId: request.targetId,
      from: request.from ? new Date(request.from) : undefined,
      to: request.to ? new Date(request.to) : undefined,
      before: request.cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { items: page.map(toAuditEntryView), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }
}
