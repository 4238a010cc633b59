import { Module } from '@nestjs/common';
import { AccessTokens } from '#auth';
import { PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { UsersModule } from '../users/users.module.js';
import { AuthHandler } from './auth.handler.js';
import { AuthService } from './auth.service.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

@Module({
  imports: [UsersModule],
  controllers: [AuthHandler],
  providers: [
    AuthService,
    RefreshTokensRepository,
    PasswordHasher,
    {
      provide: AccessTokens,
      inject: [PLATFORM_CONFIG],
      useFactory: (config: PlatformConfig) => new AccessTokens(config.jwtSecret ?? '', config.accessTokenTtlSeconds),
    },
  ],
})
export class AuthModule {}
