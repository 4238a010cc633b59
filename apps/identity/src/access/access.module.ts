import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminHandler } from '../admin/admin.handler.js';
import { AdminRepository } from '../admin/admin.repository.js';
import { AdminService } from '../admin/admin.service.js';
import { FirstSuperuser } from '../admin/first-superuser.js';
import { ApiKeysHandler } from '../api-keys/api-keys.handler.js';
import { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuditModule } from '../audit/audit.module.js';
import { CredentialsHandler } from '../credentials/credentials.handler.js';
import { CredentialsRepository } from '../credentials/credentials.repository.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { OidcHandler } from '../oidc/oidc.handler.js';
import { OidcRepository } from '../oidc/oidc.repository.js';
import { OidcService } from '../oidc/oidc.service.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';

/** Sessions, API keys, throttling, admin, audit log and external identities. */
@Module({
  imports: [UsersModule, AuthModule, AuditModule, ThrottlingModule],
  controllers: [CredentialsHandler, ApiKeysHandler, AdminHandler, OidcHandler],
  providers: [CredentialsService, CredentialsRepository, ApiKeysService, ApiKeysRepository, AdminService, AdminRepository, FirstSuperuser, OidcService, OidcRepository],
})
export class AccessModule {}
