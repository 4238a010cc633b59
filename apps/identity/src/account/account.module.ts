import { Module } from '@nestjs/common';

/** Profile, settings (encrypted provider keys), projects and notifications. */
@Module({})
export class AccountModule {}
