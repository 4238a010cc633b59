import { Inject, Injectable } from '@nestjs/common';
import { type Actor, AgentContracts, AppError, ErrorCode, WorkflowContracts } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { ProjectOwnership } from '#service-kit';
import { ConversationsErrors } from './conversations.errors.js';

/**
 * Where a conversation's agent, workflow and project are checked to be the caller's. They belong
 * to other services: each is asked with the caller as actor, so another user's (or a deleted one,
 * or none at all) is a NOT_FOUND there, reported here as the NOT_FOUND it is, naming the field (a
 * project as every service reports it, see ProjectOwnership).
 */
@Injectable()
export class TargetOwnership {
  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    private readonly projects: ProjectOwnership,
  ) {}

  async assertAgentOwned(actor: Actor, agentId: string): Promise<void> {
    await this.ask(() => this.bus.request(AgentContracts.get, { id: agentId }, { actor }), ConversationsErrors.agentNotFound);
  }

  async assertWorkflowOwned(actor: Actor, workflowId: string): Promise<void> {
    await this.ask(() => this.bus.request(WorkflowContracts.get, { id: workflowId }, { actor }), ConversationsErrors.workflowNotFound);
  }

  async assertProjectOwned(actor: Actor, projectId: string): Promise<void> {
    await this.projects.assertOwned(actor, projectId);
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
