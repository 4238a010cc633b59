import { Injectable } from '@nestjs/common';
import { ActingUser, Database } from '#persistence';
import { AgentsService } from '../agents/agents.service.js';
import { KnowledgeBasesService } from '../knowledge-bases/knowledge-bases.service.js';
import { TemplatesService } from '../templates/templates.service.js';

@Injectable()
export class AccountCleanupService {
  constructor(
    private readonly agents: AgentsService,
    private readonly templates: TemplatesService,
    private readonly knowledgeBases: KnowledgeBasesService,
    private readonly database: Database,
  ) {}

  /** The user's agents (live and soft-deleted, with every version), prompt templates and knowledge bases (with everything in them) go for good, together. */
  async userDeleted(userId: string): Promise<void> {
    // Acts as the deleted user: what it removes is that user's rows and no one else's.
    await ActingUser.run(userId, () => this.database.transaction(async () => {
      await this.agents.deleteAllOf(userId);
      await this.templates.deleteAllOf(userId);
      await this.knowledgeBases.deleteAllOf(userId);
    }));
  }

  /** The project's agents stay, filed under no project; its knowledge bases go with their documents. */
  async projectDeleted(ownerId: string, projectId: string): Promise<void> {
    await ActingUser.run(ownerId, () => this.database.transaction(async () => {
      await this.agents.leaveProject(ownerId, projectId);
      await this.knowledgeBases.deleteProject(ownerId, projectId);
    }));
  }
}
