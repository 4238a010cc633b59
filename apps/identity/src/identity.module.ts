import { Module } from '@nestjs/common';
import { AccessModule } from './access/access.module.js';
import { AccountModule } from './account/account.module.js';
import { AuthModule } from './auth/auth.module.js';
import { UsersModule } from './users/users.module.js';

@Module({ imports: [UsersModule, AuthModule, AccessModule, AccountModule] })
export class IdentityModule {}
