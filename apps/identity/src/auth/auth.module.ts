import { Module } from '@nestjs/common';
import { AccessTokens } from '#auth';
import { PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { AuditModule } from '../audit/audit.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { PasswordHasher } from '../passwords/passwords.service.js';
import { UsersModule } from '../users/users.module.js';
import { AuthHandler } from './auth.handler.js';
import { AuthService } from './auth.service.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { UserPasswordsRepository } from './user-passwords.repository.js';

@Module({
  imports: [UsersModule, AuditModule, ThrottlingModule],
  controllers: [AuthHandler],
  providers: [
    AuthService,
    RefreshTokensRepository,
    UserPasswordsRepository,
    PasswordHasher,
    {
      provide: AccessTokens,
      inject: [PLATFORM_CONFIG],
      useFactory: (config: PlatformConfig) => new AccessTokens(config.jwtSecret ?? '', config.accessTokenTtlSeconds),
    },
  ],
  exports: [AuthService, PasswordHasher, RefreshTokensRepository, UserPasswordsRepository],
})
export class AuthModule {}
