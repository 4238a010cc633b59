import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { OidcHandler } from './oidc.handler.js';
import { OidcRepository } from './oidc.repository.js';
import { OidcService } from './oidc.service.js';

@Module({ imports: [UsersModule, AuthModule, AuditModule], controllers: [OidcHandler], providers: [OidcService, OidcRepository], exports: [OidcService] })
export class OidcModule {}
