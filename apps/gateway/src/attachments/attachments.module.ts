import { Module } from '@nestjs/common';
import { AttachmentsController } from './attachments.controller.js';

/** /attachments/:id: downloading an uploaded file. */
@Module({ controllers: [AttachmentsController] })
export class AttachmentsModule {}
