import { Controller } from '@nestjs/common';
import { type Actor, type AttachmentContent, AttachmentContracts, AttachmentIdRequest, type AttachmentView, UploadAttachmentRequest } from '#contracts';
import { Rpc } from '#messaging';
import { AttachmentsService } from './attachments.service.js';

@Controller()
export class AttachmentsHandler {
  constructor(private readonly attachments: AttachmentsService) {}

  @Rpc(AttachmentContracts.upload)
  upload(request: UploadAttachmentRequest, actor: Actor): Promise<AttachmentView> {
    return this.attachments.upload(actor, request);
  }

  @Rpc(AttachmentContracts.download)
  download(request: AttachmentIdRequest, actor: Actor): Promise<AttachmentContent> {
    return this.attachments.download(actor, request.id);
  }
}
