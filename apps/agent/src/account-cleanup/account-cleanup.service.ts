import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { AgentsService } from '../agents/agents.service.js';
import { TemplatesService } from '../templates/templates.service.js';

@Injectable()
export class AccountCleanupService {
  constructor(
    private readonly agents: AgentsService,
    private readonly templates: TemplatesService,
    private readonly database: Database,
  ) {}

  /** The user's agents (live and soft-deleted, with every version) and prompt templates go for good, together. */
  async userDeleted(userId: string): Promise<void> {
    await this.database.transaction(async () => {
      await this.agents.deleteAllOf(userId);
      await this.templates.deleteAllOf(userId);
    });
  }

  /** The project's agents stay, filed under no project. */
  projectDeleted(ownerId: string, projectId: string): Promise<void> {
    return this.agents.leaveProject(ownerId, projectId);
  }
}
