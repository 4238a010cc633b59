import { Injectable } from '@nestjs/common';
import { Any } from 'typeorm';
import { Database } from '#persistence';
import { AttachmentEntity } from './attachment.entity.js';

export type NewAttachment = Omit<AttachmentEntity, 'createdAt' | 'updatedAt' | 'assignId'>;

@Injectable()
export class AttachmentsRepository {
  constructor(private readonly database: Database) {}

  private get attachments() {
    return this.database.repository(AttachmentEntity);
  }

  async insert(values: NewAttachment): Promise<AttachmentEntity> {
    const attachment = this.attachments.create(values);
    await this.attachments.insert(attachment);
    return attachment;
  }

  findOwned(ownerId: string, id: string): Promise<AttachmentEntity | null> {
    return this.attachments.findOneBy({ id, ownerId });
  }

  async storageKeysOf(conversationIds: string[]): Promise<string[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.attachments.find({ select: { storageKey: true }, where: { conversationId: Any(conversationIds) } });
    return rows.map((r) => r.storageKey);
  }
}
