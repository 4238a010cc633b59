import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UserEntity } from './user.entity.js';

/**
 * What else must exist for a new user, written in the registration transaction (for example the
 * default project). Registration calls this for every new account, however it was created.
 */
@Injectable()
export class RegistrationHooks {
  async onUserCreated(_manager: EntityManager, _user: UserEntity): Promise<void> {}
}
