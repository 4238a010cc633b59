import type { BusServiceDefinition } from '#service-kit';
import { identityMigrations } from '../../../migrations/identity/index.js';
import { RefreshTokenEntity } from './auth/refresh-token.entity.js';
import { IdentityModule } from './identity.module.js';
import { UserEntity } from './users/user.entity.js';

export const identityApp: BusServiceDefinition = {
  name: 'identity',
  module: IdentityModule,
  entities: [UserEntity, RefreshTokenEntity],
  migrations: identityMigrations,
};
