import { Controller } from '@nestjs/common';
import {
  type Actor,
  CreateKnowledgeBaseRequest,
  type Empty,
  FindOwnedKnowledgeBasesRequest,
  KnowledgeBaseContracts,
  KnowledgeBaseIdRequest,
  type KnowledgeBaseList,
  KnowledgeBaseRefContracts,
  type KnowledgeBaseView,
  ListKnowledgeBasesQuery,
  type OwnedKnowledgeBases,
  UpdateKnowledgeBaseRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { KnowledgeBasesService } from './knowledge-bases.service.js';

@Controller()
export class KnowledgeBasesHandler {
  constructor(private readonly bases: KnowledgeBasesService) {}

  @Rpc(KnowledgeBaseContracts.create)
  create(request: CreateKnowledgeBaseRequest, actor: Actor): Promise<KnowledgeBaseView> {
    return this.bases.create(actor, request);
  }

  @Rpc(KnowledgeBaseContracts.list)
  list(request: ListKnowledgeBasesQuery, actor: Actor): Promise<KnowledgeBaseList> {
    return this.bases.list(actor, request);
  }

  @Rpc(KnowledgeBaseContracts.get)
  get(request: KnowledgeBaseIdRequest, actor: Actor): Promise<KnowledgeBaseView> {
    return this.bases.get(actor, request.id);
  }

  @Rpc(KnowledgeBaseContracts.update)
  update(request: UpdateKnowledgeBaseRequest, actor: Actor): Promise<KnowledgeBaseView> {
    return this.bases.update(actor, request);
  }

  @Rpc(KnowledgeBaseContracts.delete)
  async delete(request: KnowledgeBaseIdRequest, actor: Actor): Promise<Empty> {
    await this.bases.delete(actor, request.id);
    return {};
  }

  @Rpc(KnowledgeBaseRefContracts.findOwned)
  findOwned(request: FindOwnedKnowledgeBasesRequest, actor: Actor): Promise<OwnedKnowledgeBases> {
    return this.bases.findOwnedFor(actor, request);
  }
}
