import { Controller } from '@nestjs/common';
import {
  type Actor,
  ConversationContracts,
  ConversationIdRequest,
  type ConversationList,
  type ConversationView,
  CreateConversationRequest,
  type Empty,
  ListConversationsQuery,
  UpdateConversationRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { ConversationsService } from './conversations.service.js';

@Controller()
export class ConversationsHandler {
  constructor(private readonly conversations: ConversationsService) {}

  @Rpc(ConversationContracts.create)
  create(request: CreateConversationRequest, actor: Actor): Promise<ConversationView> {
    return this.conversations.create(actor, request);
  }

  @Rpc(ConversationContracts.list)
  list(request: ListConversationsQuery, actor: Actor): Promise<ConversationList> {
    return this.conversations.list(actor, request);
  }

  @Rpc(ConversationContracts.get)
  get(request: ConversationIdRequest, actor: Actor): Promise<ConversationView> {
    return this.conversations.get(actor, request.id);
  }

  @Rpc(ConversationContracts.update)
  update(request: UpdateConversationRequest, actor: Actor): Promise<ConversationView> {
    return this.conversations.update(actor, request);
  }

  @Rpc(ConversationContracts.delete)
  async delete(request: ConversationIdRequest, actor: Actor): Promise<Empty> {
    await this.conversations.delete(actor, request.id);
    return {};
  }

  @Rpc(ConversationContracts.restore)
  restore(request: ConversationIdRequest, actor: Actor): Promise<ConversationView> {
    return this.conversations.restore(actor, request.id);
  }
}
