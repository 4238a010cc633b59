import { CreateIdentitySchema1763900000000 } from './1763900000000-CreateIdentitySchema.js';

export const identityMigrations = [CreateIdentitySchema1763900000000];
