import { Inject, Injectable } from '@nestjs/common';
import { AccountContracts, type Actor, AgentContracts, AppError, ErrorCode } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { ConversationsErrors } from './conversations.errors.js';

/**
 * Where a conversation's agent and project are checked to be the caller's. Both belong to other
 * services: they are asked with the caller as actor, so another user's agent (or a deleted one,
 * or none at all) is a NOT_FOUND there, reported here as a bad field.
 */
@Injectable()
export class TargetOwnership {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  async assertAgentOwned(actor: Actor, agentId: string): Promise<void> {
    await this.ask(() => this.bus.request(AgentContracts.get, { id: agentId }, { actor }), ConversationsErrors.notYourAgent);
  }

  async assertProjectOwned(actor: Actor, projectId: string): Promise<void> {
    await this.ask(() => this.bus.request(AccountContracts.getProject, { id: projectId }, { actor }), ConversationsErrors.notYourProject);
  }

  private async ask(request: () => Promise<unknown>, refusal: () => AppError): Promise<void> {
    try {
      await request();
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw refusal();
      throw err;
    }
  }
}
