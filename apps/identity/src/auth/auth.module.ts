import { Module } from '@nestjs/common';
import { AccessTokens } from '#auth';
import { PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { AuditModule } from '../audit/audit.module.js';
import { CredentialNoticesModule } from '../credential-notices/credential-notices.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthHandler } from './auth.handler.js';
import { AuthService } from './auth.service.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

@Module({
  imports: [UsersModule, PasswordsModule, ThrottlingModule, AuditModule, CredentialNoticesModule],
  controllers: [AuthHandler],
  providers: [
    AuthService,
    RefreshTokensRepository,
    {
      provide: AccessTokens,
      inject: [PLATFORM_CONFIG],
      useFactory: (config: PlatformConfig) => new AccessTokens(config.jwtSecret ?? '', config.accessTokenTtlSeconds),
    },
  ],
  exports: [AuthService],
})
export class AuthModule {}
