import { Controller } from '@nestjs/common';
import { type Actor, AppendRunMessagesRequest, AppendRunUserMessageRequest, type MessageView, type RunMessagesReply, RunWriteContracts } from '#contracts';
import { Rpc } from '#messaging';
import { RunMessagesService } from './run-messages.service.js';

@Controller()
export class RunMessagesHandler {
  constructor(private readonly runMessages: RunMessagesService) {}

  @Rpc(RunWriteContracts.appendUserMessage)
  appendUserMessage(request: AppendRunUserMessageRequest, actor: Actor): Promise<MessageView> {
    return this.runMessages.appendUserMessage(actor, request);
  }

  @Rpc(RunWriteContracts.appendMessages)
  appendMessages(request: AppendRunMessagesRequest, actor: Actor): Promise<RunMessagesReply> {
    return this.runMessages.appendMessages(actor, request);
  }
}
