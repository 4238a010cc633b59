import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminHandler } from './admin.handler.js';
import { AdminRepository } from './admin.repository.js';
import { AdminService } from './admin.service.js';
import { FirstSuperuser } from './first-superuser.js';

@Module({
  imports: [UsersModule, AuthModule, ApiKeysModule, AuditModule, PasswordsModule],
  controllers: [AdminHandler],
  providers: [AdminService, AdminRepository, FirstSuperuser],
  exports: [AdminService],
})
export class AdminModule {}
