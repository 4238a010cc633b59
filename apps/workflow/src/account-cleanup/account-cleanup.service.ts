import { Injectable } from '@nestjs/common';
import { ActingUser, Database } from '#persistence';
import { SchedulesService } from '../schedules/schedules.service.js';
import { WorkflowsService } from '../workflows/workflows.service.js';

@Injectable()
export class AccountCleanupService {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly schedules: SchedulesService,
    private readonly database: Database,
  ) {}

  /** The user's schedules (of agents too) and workflows go for good, with their versions and everything that starts them. */
  async userDeleted(userId: string): Promise<void> {
    // As the deleted user: what goes is that user's rows and no one else's.
    await ActingUser.run(userId, () => this.database.transaction(async () => {
      await this.schedules.deleteAllOf(userId);
      await this.workflows.deleteAllOf(userId);
    }));
  }

  /** The project's workflows stay, filed under no project. */
  projectDeleted(ownerId: string, projectId: string): Promise<void> {
    return ActingUser.run(ownerId, () => this.workflows.leaveProject(ownerId, projectId));
  }
}
