import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { AttachmentEntity } from './attachment.entity.js';

@Injectable()
export class AttachmentsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, a: Omit<AttachmentEntity, 'createdAt' | 'updatedAt' | 'assignId'>): Promise<AttachmentEntity> {
    const rows: AttachmentRow[] = await manager.query(
      `INSERT INTO "conversation"."attachments" ("id", "owner_id", "conversation_id", "message_id", "filename", "content_type", "size_bytes", "sha256", "storage_key")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [a.id, a.ownerId, a.conversationId, a.messageId, a.filename, a.contentType, a.sizeBytes, a.sha256, a.storageKey],
    );
    return attachmentFromRow(rows[0]);
  }

  /** An attachment of this owner whose conversation is live (a deleted conversation hides its files). */
  async findOwned(ownerId: string, id: string): Promise<AttachmentEntity | null> {
    const rows: AttachmentRow[] = await this.dataSource.query(
      `SELECT a.* FROM "conversation"."attachments" a
       JOIN "conversation"."conversations" c ON c."id" = a."conversation_id" AND c."deleted_at" IS NULL
       WHERE a."id" = $1 AND a."owner_id" = $2`,
      [id, ownerId],
    );
    return rows.length === 0 ? null : attachmentFromRow(rows[0]);
  }
}

interface AttachmentRow {
  id: string;
  owner_id: string;
  conversation_id: string;
  message_id: string | null;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: Date;
  updated_at: Date;
}

function attachmentFromRow(row: AttachmentRow): AttachmentEntity {
  return Object.assign(new AttachmentEntity(), {
    id: row.id,
    ownerId: row.owner_id,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    filename: row.filename,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    storageKey: row.storage_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
