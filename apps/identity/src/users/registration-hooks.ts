import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProjectsService } from '../projects/projects.service.js';
import type { UserEntity } from './user.entity.js';

/**
 * What else must exist for a new user, written in the registration transaction (for example the
 * default project). Registration calls this for every new account, however it was created.
 */
@Injectable()
export class RegistrationHooks {
  constructor(private readonly projects: ProjectsService) {}

  async onUserCreated(manager: EntityManager, user: UserEntity): Promise<void> {
    await this.projects.createDefault(manager, user.id);
  }
}
