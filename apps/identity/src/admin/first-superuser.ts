import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { serviceActor } from '#contracts';
import type { IdentityConfig } from '#config';
import { rootLogger } from '#observability';
import { UserPasswordsRepository } from '../auth/user-passwords.repository.js';
import { PasswordHasher } from '../passwords/passwords.service.js';
import { RegistrationHooks } from '../users/registration-hooks.js';
import { UsersRepository } from '../users/users.repository.js';
import { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { IDENTITY_CONFIG } from '../identity-config.module.js';
import { AdminRepository } from './admin.repository.js';

export type BootstrapOutcome = 'exists' | 'created' | 'promoted';

/**
 * The first superuser comes from the operator (FIRST_SUPERUSER_EMAIL and _PASSWORD, or the
 * create-superuser command), never from an open endpoint. It acts only while no active superuser
 * exists. An account that already holds the email is promoted with the operator's password, and
 * its sessions and keys are ended: whoever registered that email first does not keep access.
 */
@Injectable()
export class FirstSuperuser implements OnApplicationBootstrap {
  private readonly log = rootLogger().child({ component: 'first-superuser' });

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly admin: AdminRepository,
    private readonly users: UsersRepository,
    private readonly registration: RegistrationHooks,
    private readonly passwords: PasswordHasher,
    private readonly sessions: UserPasswordsRepository,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const wanted = this.config.firstSuperuser;
    if (!wanted) return;
    const outcome = await this.ensure(wanted.email, wanted.password);
    if (outcome !== 'exists') this.log.info({ outcome }, 'first superuser set up from FIRST_SUPERUSER_EMAIL');
  }

  async ensure(email: string, password: string, force = false): Promise<BootstrapOutcome> {
    if (!force && (await this.admin.anySuperuser())) return 'exists';
    const passwordHash = await this.passwords.hash(password);
    return this.admin.transaction(async (manager) => {
      await this.admin.lockBootstrap(manager);
      if (!force && (await this.admin.anySuperuserIn(manager))) return 'exists';
      const actor = serviceActor('identity');
      let userId = await this.admin.findUserIdByEmail(manager, email);
      let outcome: BootstrapOutcome;
      if (userId) {
        await this.admin.makeSuperuser(manager, userId, passwordHash);
        await this.sessions.revokeSessionsExcept(manager, userId, null);
        await this.keys.revokeAllOf(manager, userId);
        outcome = 'promoted';
      } else {
        const user = await this.users.insert(manager, { email: email.toLowerCase(), passwordHash, name: null });
        await this.registration.onUserCreated(manager, user);
        await this.admin.makeSuperuser(manager, user.id, passwordHash);
        userId = user.id;
        outcome = 'created';
      }
      await this.audit.record(actor, { action: 'admin.superuser.bootstrapped', actorId: null, targetType: 'user', targetId: userId, metadata: { outcome } }, manager);
      return outcome;
    });
  }
}
