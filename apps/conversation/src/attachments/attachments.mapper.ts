import type { AttachmentView } from '#contracts';
import type { AttachmentEntity } from './attachment.entity.js';

export function toAttachmentView(a: AttachmentEntity): AttachmentView {
  return {
    id: a.id,
    conversationId: a.conversationId,
    messageId: a.messageId,
    filename: a.filename,
    contentType: a.contentType,
    sizeBytes: a.sizeBytes,
    sha256: a.sha256,
    createdAt: a.createdAt.toISOString(),
  };
}
