import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { UsersModule } from './users/users.module.js';

@Module({ imports: [UsersModule, AuthModule] })
export class IdentityModule {}
