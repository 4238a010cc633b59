import { Module } from '@nestjs/common';

/** Sessions, API keys, throttling, admin, audit log and external identities. */
@Module({})
export class AccessModule {}
