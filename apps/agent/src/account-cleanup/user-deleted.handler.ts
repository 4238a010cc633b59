import { Controller } from '@nestjs/common';
import { UserDeleted, type UserDeletedEvent } from '#contracts';
import { type EventContext, OnEvent } from '#messaging';
import { AgentsRepository } from '../agents/agents.repository.js';
import { AgentConfigCache } from '../config-cache/agent-config-cache.js';
import { TemplatesService } from '../templates/templates.service.js';

@Controller()
export class UserDeletedHandler {
  constructor(
    private readonly agents: AgentsRepository,
    private readonly templates: TemplatesService,
    private readonly cache: AgentConfigCache,
  ) {}

  /**
   * The user's agents (live and soft-deleted, with every version) and prompt templates go for
   * good, in the inbox transaction. No agent.deleted events: that event means "soft-deleted,
   * restorable", and every service hears user.deleted itself.
   */
  @OnEvent(UserDeleted)
  async onUserDeleted(event: UserDeletedEvent, context: EventContext): Promise<void> {
    const ids = await this.agents.deleteByOwner(context.manager, event.userId);
    await this.templates.deleteAllOf(event.userId);
    for (const id of ids) this.cache.invalidate(id);
  }
}
