import { Controller, Inject } from '@nestjs/common';
import { AgentUpdated, ProjectDeleted, type ProjectDeletedEvent } from '#contracts';
import { type EventContext, type Outbox, OnEvent } from '#messaging';
import { OUTBOX } from '#service-kit';
import { AgentsRepository } from '../agents/agents.repository.js';

@Controller()
export class ProjectDeletedHandler {
  constructor(
    private readonly agents: AgentsRepository,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  /** The project's agents stay, filed under no project; the project is not a run field, so no new version. */
  @OnEvent(ProjectDeleted)
  async onProjectDeleted(event: ProjectDeletedEvent, context: EventContext): Promise<void> {
    const moved = await this.agents.leaveProject(context.manager, event.ownerId, event.projectId);
    for (const agent of moved) {
      await this.outbox.addIn(context.manager, AgentUpdated, { agentId: agent.id, ownerId: event.ownerId, version: agent.currentVersion, fields: ['projectId'] });
    }
  }
}
