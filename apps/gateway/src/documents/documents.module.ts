import { Module } from '@nestjs/common';
import { DocumentsController } from './documents.controller.js';

/** /documents/:id: one document of a knowledge base. */
@Module({ controllers: [DocumentsController] })
export class DocumentsModule {}
