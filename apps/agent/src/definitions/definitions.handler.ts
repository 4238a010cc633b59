import { Controller } from '@nestjs/common';
import { type Actor, type AgentCreatedReply, type AgentDefinition, ExportAgentRequest, ImportAgentRequest, WizardContracts } from '#contracts';
import { Rpc } from '#messaging';
import { DefinitionsService } from './definitions.service.js';

@Controller()
export class DefinitionsHandler {
  constructor(private readonly definitions: DefinitionsService) {}

  @Rpc(WizardContracts.export)
  export(request: ExportAgentRequest, actor: Actor): Promise<AgentDefinition> {
    return this.definitions.export(actor, request);
  }

  @Rpc(WizardContracts.import)
  import(request: ImportAgentRequest, actor: Actor): Promise<AgentCreatedReply> {
    return this.definitions.import(actor, request);
  }
}
