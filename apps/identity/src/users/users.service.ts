import { Inject, Injectable } from '@nestjs/common';
import { type Actor, UserDeleted, type UserView } from '#contracts';
import type { Outbox } from '#messaging';
import { DATA_SOURCE, OUTBOX } from '#service-kit';
import type { DataSource } from 'typeorm';
import { toUserView } from './user.mapper.js';
import { UsersErrors } from './users.errors.js';
import { UsersRepository } from './users.repository.js';

export function requireUserId(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.userId) throw UsersErrors.notAUser();
  return actor.userId;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  async getMe(actor: Actor): Promise<UserView> {
    const user = await this.users.findById(requireUserId(actor));
    if (!user || !user.isActive) throw UsersErrors.accountGone();
    return toUserView(user);
  }

  /** The user row and its sessions go now; every other service hears the event and cleans up. */
  async deleteMe(actor: Actor): Promise<void> {
    const userId = requireUserId(actor);
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.users.delete(manager, userId))) throw UsersErrors.accountGone();
      await this.outbox.add(manager, UserDeleted, { userId }, actor);
    });
  }
}
