import type { BusServiceDefinition } from '#service-kit';
import { identityMigrations } from '../../../migrations/identity/index.js';
import { ACCESS_ENTITIES } from './access/access.entities.js';
import { ACCOUNT_ENTITIES } from './account/account.entities.js';
import { RefreshTokenEntity } from './auth/refresh-token.entity.js';
import { IdentityModule } from './identity.module.js';
import { UserEntity } from './users/user.entity.js';

export const identityApp: BusServiceDefinition = {
  name: 'identity',
  module: IdentityModule,
  entities: [UserEntity, RefreshTokenEntity, ...ACCESS_ENTITIES, ...ACCOUNT_ENTITIES],
  migrations: identityMigrations,
};
