import { Controller } from '@nestjs/common';
import { type Actor, AppendRunMessagesRequest, AppendRunUserMessageRequest, type MessageView, type RunMessagesReply, RunWriteContracts } from '#contracts';
import { Rpc } from '#messaging';
import { RunsService } from './runs.service.js';

@Controller()
export class RunsHandler {
  constructor(private readonly runs: RunsService) {}

  @Rpc(RunWriteContracts.appendUserMessage)
  appendUserMessage(request: AppendRunUserMessageRequest, actor: Actor): Promise<MessageView> {
    return this.runs.appendUserMessage(actor, request);
  }

  @Rpc(RunWriteContracts.appendMessages)
  appendMessages(request: AppendRunMessagesRequest, actor: Actor): Promise<RunMessagesReply> {
    return this.runs.appendMessages(actor, request);
  }
}
