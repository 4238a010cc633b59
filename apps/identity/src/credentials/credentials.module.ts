import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CredentialNoticesModule } from '../credential-notices/credential-notices.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { UsersModule } from '../users/users.module.js';
import { CredentialsHandler } from './credentials.handler.js';
import { CredentialsService } from './credentials.service.js';

@Module({ imports: [AuthModule, ApiKeysModule, ThrottlingModule, CredentialNoticesModule, UsersModule], controllers: [CredentialsHandler], providers: [CredentialsService], exports: [CredentialsService] })
export class CredentialsModule {}
