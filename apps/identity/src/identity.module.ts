import { Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CredentialsModule } from './credentials/credentials.module.js';
import { IdentityConfigModule } from './identity-config.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OidcModule } from './oidc/oidc.module.js';
import { PasswordsModule } from './passwords/passwords.module.js';
import { ProjectsModule } from './projects/projects.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { ThrottlingModule } from './throttling/throttling.module.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    IdentityConfigModule,
    UsersModule,
    PasswordsModule,
    AuthModule,
    CredentialsModule,
    ApiKeysModule,
    ThrottlingModule,
    OidcModule,
    AuditModule,
    AdminModule,
    ProjectsModule,
    SettingsModule,
    NotificationsModule,
  ],
})
export class IdentityModule {}
