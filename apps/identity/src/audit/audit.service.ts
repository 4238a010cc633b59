import { Injectable } from '@nestjs/common';
import type { Actor, AuditPage, ListAuditLogRequest } from '#contracts';
import { pageOf } from '#persistence';
import { AuditRepository } from './audit.repository.js';
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

const DEFAULT_PAGE_SIZE = 50;

/** The security and admin record. Who may read it is the admin feature's rule. */
@Injectable()
export class AuditService {
  constructor(private readonly log: AuditRepository) {}

  /** Written in the caller's transaction when there is one, so the record and the change commit together. */
  record(actor: Actor, event: AuditEvent): Promise<void> {
    return this.log.append({
      actorId: event.actorId !== undefined ? event.actorId : (actor.userId ?? null),
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ?? null,
      metadata: event.metadata ?? {},
    });
  }

  /** Newest first; the cursor is the id of the last entry of the previous page. */
  async list(request: ListAuditLogRequest): Promise<AuditPage> {
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
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
    return pageOf(rows, limit, toAuditEntryView, (entry) => entry.id);
  }
}
