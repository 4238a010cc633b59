import { CreateIntegrationSchema1763900000400 } from './1763900000400-CreateIntegrationSchema.js';

export const integrationMigrations = [CreateIntegrationSchema1763900000400];
