import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { serviceActor } from '#contracts';
import type { IdentityConfig } from '#config';
import { rootLogger } from '#observability';
import { ActingUser, Database } from '#persistence';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { IDENTITY_CONFIG } from '../identity-config.module.js';
import { PasswordsService } from '../passwords/passwords.service.js';
import { UsersService } from '../users/users.service.js';
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
    private readonly users: UsersService,
    private readonly passwords: PasswordsService,
    private readonly sessions: AuthService,
    private readonly keys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly database: Database,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const wanted = this.config.firstSuperuser;
    if (!wanted) return;
    const outcome = await this.ensure(wanted.email, wanted.password);
    if (outcome !== 'exists') this.log.info({ outcome }, 'first superuser set up from FIRST_SUPERUSER_EMAIL');
  }

  async ensure(email: string, password: string, force = false): Promise<BootstrapOutcome> {
    if (!force && (await this.anyActiveSuperuser())) return 'exists';
    const passwordHash = await this.passwords.hash(password);
    return this.database.transaction(async () => {
      await this.admin.lockBootstrap();
      if (!force && (await this.anyActiveSuperuser())) return 'exists';
      const existing = await ActingUser.system('first superuser: find the account of the operator\'s email', () => this.users.findByEmail(email));
      let userId: string;
      let outcome: BootstrapOutcome;
      if (existing) {
        userId = existing.id;
        await ActingUser.run(userId, async () => {
          await this.users.makeSuperuser(userId, passwordHash);
          await this.sessions.endSessions(userId, null);
          await this.keys.revokeAllOf(userId);
        });
        outcome = 'promoted';
      } else {
        userId = (await this.users.create({ email: email.toLowerCase(), passwordHash, name: null })).id;
        await ActingUser.run(userId, () => this.users.makeSuperuser(userId, passwordHash));
        outcome = 'created';
      }
      await this.audit.record(serviceActor('identity'), { action: 'admin.superuser.bootstrapped', actorId: null, targetType: 'user', targetId: userId, metadata: { outcome } });
      return outcome;
    });
  }

  private anyActiveSuperuser(): Promise<boolean> {
    return ActingUser.system('first superuser: is there an active superuser at all', () => this.users.anyActiveSuperuser());
  }
}
