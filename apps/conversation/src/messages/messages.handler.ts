import { Controller } from '@nestjs/common';
import {
  type Actor,
  AddMessageRequest,
  ConversationIdRequest,
  type ConversationTree,
  EditMessageRequest,
  type Empty,
  ListMessagesRequest,
  MessageContracts,
  MessageIdRequest,
  type MessageList,
  type MessageView,
  SwitchBranchRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { MessagesService } from './messages.service.js';

@Controller()
export class MessagesHandler {
  constructor(private readonly messages: MessagesService) {}

  @Rpc(MessageContracts.list)
  list(request: ListMessagesRequest, actor: Actor): Promise<MessageList> {
    return this.messages.list(actor, request);
  }

  @Rpc(MessageContracts.tree)
  tree(request: ConversationIdRequest, actor: Actor): Promise<ConversationTree> {
    return this.messages.tree(actor, request.id);
  }

  @Rpc(MessageContracts.add)
  add(request: AddMessageRequest, actor: Actor): Promise<MessageView> {
    return this.messages.add(actor, request);
  }

  @Rpc(MessageContracts.edit)
  edit(request: EditMessageRequest, actor: Actor): Promise<MessageView> {
    return this.messages.edit(actor, request);
  }

  @Rpc(MessageContracts.switchBranch)
  switchBranch(request: SwitchBranchRequest, actor: Actor): Promise<MessageList> {
    return this.messages.switchBranch(actor, request);
  }

  @Rpc(MessageContracts.delete)
  async delete(request: MessageIdRequest, actor: Actor): Promise<Empty> {
    await this.messages.delete(actor, request.id);
    return {};
  }

  @Rpc(MessageContracts.restore)
  restore(request: MessageIdRequest, actor: Actor): Promise<MessageView> {
    return this.messages.restore(actor, request.id);
  }
}
