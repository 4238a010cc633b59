import type { BusServiceDefinition } from '#service-kit';
import { integrationMigrations } from '../../../migrations/integration/index.js';
import { IntegrationModule } from './integration.module.js';

export const integrationApp: BusServiceDefinition = {
  name: 'integration',
  module: IntegrationModule,
  entities: [],
  migrations: integrationMigrations,
};
