import { Controller } from '@nestjs/common';
import {
  type Actor,
  type AgentCreatedReply,
  type AgentDefinition,
  ExportAgentRequest,
  FromQaRequest,
  ImportAgentRequest,
  type RegenerateReply,
  RegeneratePromptRequest,
  WizardContracts,
  type WizardReply,
} from '#contracts';
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

  @Rpc(WizardContracts.export)
  export(request: ExportAgentRequest, actor: Actor): Promise<AgentDefinition> {
    return this.wizard.export(actor, request);
  }

  @Rpc(WizardContracts.import)
  import(request: ImportAgentRequest, actor: Actor): Promise<AgentCreatedReply> {
    return this.wizard.import(actor, request);
  }
}
