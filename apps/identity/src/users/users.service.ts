import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type ChangeEmailRequest, type ProfileView, type UpdateProfileRequest, UserDeleted, requireUserId } from '#contracts';
import type { Outbox } from '#messaging';
import { ActingUser, Database, isUniqueViolation, newId } from '#persistence';
import { OUTBOX } from '#service-kit';
import { PasswordsService } from '../passwords/passwords.service.js';
import { CredentialNoticesService } from '../credential-notices/credential-notices.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import type { UserEntity } from './user.entity.js';
import { toUserView } from './user.mapper.js';
import { UsersErrors } from './users.errors.js';
import { UsersRepository } from './users.repository.js';

export type { UserEntity } from './user.entity.js';

/** The account flags an admin changes; undefined leaves one as it is. */
export interface UserFlags {
  isActive?: boolean;
  isSuperuser?: boolean;
}

function rethrowTaken(err: unknown): never {
  if (isUniqueViolation(err, 'users_email_uq')) throw UsersErrors.emailTaken();
  if (isUniqueViolation(err, 'users_username_uq')) throw UsersErrors.usernameTaken();
  if (isUniqueViolation(err, 'users_external_uq')) throw UsersErrors.externalIdentityTaken();
  throw err;
}

/**
 * The accounts: the profile use cases of the signed-in user, and the steps other features take on
 * an account (registration, sign-in lookups, password, external identity, admin flags). A step
 * joins the caller's transaction when there is one.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly projects: ProjectsService,
    private readonly passwords: PasswordsService,
    private readonly database: Database,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    private readonly notices: CredentialNoticesService,
  ) {}

  async getMe(actor: Actor): Promise<ProfileView> {
    return toUserView(await this.activeAccount(requireUserId(actor)));
  }

  async updateProfile(actor: Actor, request: UpdateProfileRequest): Promise<ProfileView> {
    const userId = requireUserId(actor);
    return this.database
      .transaction(async () => {
        const user = await this.users.findForUpdate(userId);
        if (!user || !user.isActive) throw UsersErrors.accountGone();
        if (request.name !== undefined) user.name = request.name?.trim() || null;
        if (request.username !== undefined) user.username = request.username?.toLowerCase() ?? null;
        this.notices.changed(userId);
        return toUserView(await this.users.save(user));
      })
      .catch(rethrowTaken);
  }

  /** Needs the current password: a stolen access token alone must not be enough to take over the account. */
  async changeEmail(actor: Actor, request: ChangeEmailRequest): Promise<ProfileView> {
    const userId = requireUserId(actor);
    const current = await this.activeAccount(userId);
    if (!(await this.passwords.verify(current.passwordHash, request.password))) throw UsersErrors.wrongPassword();
    return this.database
      .transaction(async () => {
        const user = await this.users.findForUpdate(userId);
        if (!user || !user.isActive) throw UsersErrors.accountGone();
        // The hash checked above must still be the account's: a password change in between wins.
        if (user.passwordHash !== current.passwordHash) throw UsersErrors.wrongPassword();
        user.email = request.newEmail.trim().toLowerCase();
        this.notices.changed(userId);
        return toUserView(await this.users.save(user));
      })
      .catch(rethrowTaken);
  }

  /** The user row and its sessions go now; every other service hears the event and cleans up. */
  async deleteMe(actor: Actor): Promise<void> {
    const userId = requireUserId(actor);
    await this.database.transaction(async () => {
      if (!(await this.users.delete(userId))) throw UsersErrors.accountGone();
      this.notices.changed(userId);
      await this.outbox.add(UserDeleted, { userId }, actor);
    });
  }

  /** How every reply that shows a user shows it. */
  view(user: UserEntity): ProfileView {
    return toUserView(user);
  }

  /** The account of a signed-in user, or UNAUTHENTICATED when it was deleted or deactivated since its token was issued. */
  async activeAccount(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user || !user.isActive) throw UsersErrors.accountGone();
    return user;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(email);
  }

  /**
   * A new account, however it came (registration, external identity, the operator), with what
   * must exist beside it: its default project. A taken email is a CONFLICT naming `email`. Acts
   * as the new user, whoever asked (nobody is signed in yet).
   */
  async create(user: Pick<UserEntity, 'email' | 'passwordHash' | 'name'>): Promise<UserEntity> {
    const id = newId();
    return ActingUser.run(id, () =>
      this.database.transaction(async () => {
        const created = await this.users.insert({ ...user, id }).catch(rethrowTaken);
        await this.projects.createDefault(created.id);
        return created;
      }),
    );
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.users.update(userId, { passwordHash });
    this.notices.changed(userId);
  }

  /** Locked until the caller's transaction ends. */
  findByExternalIdForUpdate(provider: string, subject: string): Promise<UserEntity | null> {
    return this.users.findByExternalIdForUpdate(provider, subject);
  }

  /** Locked until the caller's transaction ends. */
  findByEmailForUpdate(email: string): Promise<UserEntity | null> {
    return this.users.findByEmailForUpdate(email);
  }

  /** An identity linked to another account is a CONFLICT. */
  async linkExternalIdentity(userId: string, provider: string, subject: string): Promise<void> {
    await this.users.update(userId, { externalProvider: provider, externalId: subject }).catch(rethrowTaken);
  }

  /** True if the account exists; it then cannot be deleted until the caller's transaction ends. */
  holdIfExists(userId: string): Promise<boolean> {
    return this.users.holdIfExists(userId);
  }

  anyActiveSuperuser(): Promise<boolean> {
    return this.users.anyActiveSuperuser();
  }

  list(filter: { q?: string; after?: string; limit: number }): Promise<UserEntity[]> {
    return this.users.list(filter);
  }

  /** The account with its flags changed, or null when there is no such account. */
  async setFlags(id: string, flags: UserFlags): Promise<UserEntity | null> {
    return this.database.transaction(async () => {
      const user = await this.users.findForUpdate(id);
      if (!user) return null;
      if (flags.isActive !== undefined) user.isActive = flags.isActive;
      if (flags.isSuperuser !== undefined) user.isSuperuser = flags.isSuperuser;
      this.notices.changed(id);
      return this.users.save(user);
    });
  }

  /** An active superuser signing in with this password from now on. */
  async makeSuperuser(id: string, passwordHash: string): Promise<void> {
    await this.users.update(id, { isSuperuser: true, isActive: true, passwordHash });
    this.notices.changed(id);
  }
}
