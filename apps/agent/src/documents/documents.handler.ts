import { Controller } from '@nestjs/common';
import { type Actor, AddDocumentRequest, type DocumentAddedReply, DocumentContracts, DocumentIdRequest, type DocumentList, type DocumentView, type Empty, ListDocumentsRequest } from '#contracts';
import { Rpc } from '#messaging';
import { DocumentsService } from './documents.service.js';

@Controller()
export class DocumentsHandler {
  constructor(private readonly documents: DocumentsService) {}

  @Rpc(DocumentContracts.add)
  add(request: AddDocumentRequest, actor: Actor): Promise<DocumentAddedReply> {
    return this.documents.add(actor, request);
  }

  @Rpc(DocumentContracts.list)
  list(request: ListDocumentsRequest, actor: Actor): Promise<DocumentList> {
    return this.documents.list(actor, request);
  }

  @Rpc(DocumentContracts.get)
  get(request: DocumentIdRequest, actor: Actor): Promise<DocumentView> {
    return this.documents.get(actor, request.id);
  }

  @Rpc(DocumentContracts.delete)
  async delete(request: DocumentIdRequest, actor: Actor): Promise<Empty> {
    await this.documents.delete(actor, request.id);
    return {};
  }
}
