import { Module } from '@nestjs/common';
import { AccessHttpModule } from './access-http.module.js';
import { AccountHttpModule } from './account-http.module.js';

@Module({ imports: [AccessHttpModule, AccountHttpModule] })
export class IdentityHttpModule {}
