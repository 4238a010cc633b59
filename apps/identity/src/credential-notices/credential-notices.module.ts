import { Module } from '@nestjs/common';
import { CredentialNoticesService } from './credential-notices.service.js';

/** Cache-invalidation hints about credentials, for the gateway replicas. */
@Module({ providers: [CredentialNoticesService], exports: [CredentialNoticesService] })
export class CredentialNoticesModule {}
