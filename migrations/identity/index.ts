import { CreateIdentitySchema1763900000000 } from './1763900000000-CreateIdentitySchema.js';
import { IdentityAccess1763910000000 } from './1763910000000-IdentityAccess.js';
import { IdentityAccount1763920000000 } from './1763920000000-IdentityAccount.js';
import { RowLevelSecurity1768000000000 } from './1768000000000-RowLevelSecurity.js';

export const identityMigrations = [CreateIdentitySchema1763900000000, IdentityAccess1763910000000, IdentityAccount1763920000000, RowLevelSecurity1768000000000];
