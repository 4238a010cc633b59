import type { BusServiceDefinition } from '#service-kit';
import { identityMigrations } from '../../../migrations/identity/index.js';
import { SystemSettingEntity } from './admin/system-setting.entity.js';
import { ApiKeyEntity } from './api-keys/api-key.entity.js';
import { AuditEntryEntity } from './audit/audit-entry.entity.js';
import { RefreshTokenEntity } from './auth/refresh-token.entity.js';
import { IdentityModule } from './identity.module.js';
import { NotificationEntity } from './notifications/notification.entity.js';
import { OidcStateEntity } from './oidc/oidc-state.entity.js';
import { ProjectEntity } from './projects/project.entity.js';
import { ProviderKeyEntity } from './settings/provider-key.entity.js';
import { UserSettingsEntity } from './settings/user-settings.entity.js';
import { RateLimitEntity } from './throttling/rate-limit.entity.js';
import { UserEntity } from './users/user.entity.js';

export const identityApp: BusServiceDefinition = {
  name: 'identity',
  module: IdentityModule,
  // Every table of the schema but outbox, inbox and migrations (owned by libs/messaging and TypeORM).
  entities: [
    UserEntity,
    RefreshTokenEntity,
    ApiKeyEntity,
    OidcStateEntity,
    AuditEntryEntity,
    SystemSettingEntity,
    ProjectEntity,
    UserSettingsEntity,
    ProviderKeyEntity,
    NotificationEntity,
    RateLimitEntity,
  ],
  migrations: identityMigrations,
};
