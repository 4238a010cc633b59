import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type ChangeEmailRequest, type ProfileView, type UpdateProfileRequest, UserDeleted, requireUserId } from '#contracts';
import type { Outbox } from '#messaging';
import { isUniqueViolation } from '#persistence';
import { DATA_SOURCE, OUTBOX } from '#service-kit';
import type { DataSource } from 'typeorm';
import { PasswordHasher } from '../passwords/passwords.service.js';
import { toUserView } from './user.mapper.js';
import { UsersErrors } from './users.errors.js';
import { UsersRepository } from './users.repository.js';


@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  async getMe(actor: Actor): Promise<ProfileView> {
    const user = await this.users.findById(requireUserId(actor));
    if (!user || !user.isActive) throw UsersErrors.accountGone();
    return toUserView(user);
  }

  async updateProfile(actor: Actor, request: UpdateProfileRequest): Promise<ProfileView> {
    const userId = requireUserId(actor);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await this.users.findForUpdate(manager, userId);
        if (!user || !user.isActive) throw UsersErrors.accountGone();
        if (request.name !== undefined) user.name = request.name?.trim() || null;
        if (request.username !== undefined) user.username = request.username?.toLowerCase() ?? null;
        return toUserView(await this.users.save(manager, user));
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_username_uq')) throw UsersErrors.usernameTaken();
      throw err;
    }
  }

  /** Needs the current password: a stolen access token alone must not be enough to take over the account. */
  async changeEmail(actor: Actor, request: ChangeEmailRequest): Promise<ProfileView> {
    const userId = requireUserId(actor);
    const current = await this.users.findById(userId);
    if (!current || !current.isActive) throw UsersErrors.accountGone();
    if (!(await this.passwords.verify(current.passwordHash, request.password))) throw UsersErrors.wrongPassword();
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await this.users.findForUpdate(manager, userId);
        if (!user || !user.isActive) throw UsersErrors.accountGone();
        // The hash checked above must still be the account's: a password change in between wins.
        if (user.passwordHash !== current.passwordHash) throw UsersErrors.wrongPassword();
        user.email = request.newEmail.trim().toLowerCase();
        return toUserView(await this.users.save(manager, user));
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_uq')) throw UsersErrors.emailTaken();
      throw err;
    }
  }

  /** The user row and its sessions go now; every other service hears the event and cleans up. */
  async deleteMe(actor: Actor): Promise<void> {
    const userId = requireUserId(actor);
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.users.delete(manager, userId))) throw UsersErrors.accountGone();
      await this.outbox.addIn(manager, UserDeleted, { userId }, actor);
    });
  }
}
