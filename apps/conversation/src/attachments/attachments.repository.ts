import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { AttachmentContentEntity } from './attachment-content.entity.js';
import { AttachmentEntity } from './attachment.entity.js';

export type NewAttachment = Omit<AttachmentEntity, 'createdAt' | 'updatedAt' | 'assignId'>;

@Injectable()
export class AttachmentsRepository {
  constructor(private readonly database: Database) {}

  private get attachments() {
    return this.database.repository(AttachmentEntity);
  }

  private get contents() {
    return this.database.repository(AttachmentContentEntity);
  }

  /** The row and its bytes; call inside a transaction, so neither exists without the other. */
  async insert(values: NewAttachment, bytes: Buffer): Promise<AttachmentEntity> {
    const attachment = this.attachments.create(values);
    await this.attachments.insert(attachment);
    await this.contents.insert({ attachmentId: attachment.id, bytes });
    return attachment;
  }

  async bytesOf(id: string): Promise<Buffer | null> {
    return (await this.contents.findOneBy({ attachmentId: id }))?.bytes ?? null;
  }

  findOwned(ownerId: string, id: string): Promise<AttachmentEntity | null> {
    return this.attachments.findOneBy({ id, ownerId });
  }

}
