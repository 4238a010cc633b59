import { Controller } from '@nestjs/common';
import { type Actor, FromQaRequest, type RegenerateReply, RegeneratePromptRequest, WizardContracts, type WizardReply } from '#contracts';
import { Rpc } from '#messaging';
import { WizardService } from './wizard.service.js';

@Controller()
export class WizardHandler {
  constructor(private readonly wizard: WizardService) {}

  @Rpc(WizardContracts.fromQa)
  fromQa(request: FromQaRequest, actor: Actor): Promise<WizardReply> {
    return this.wizard.fromQa(actor, request);
  }

  @Rpc(WizardContracts.regeneratePrompt)
  regenerate(request: RegeneratePromptRequest, actor: Actor): Promise<RegenerateReply> {
    return this.wizard.regenerate(actor, request);
  }
}
