import { Module } from '@nestjs/common';
import { CredentialNoticesModule } from '../credential-notices/credential-notices.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { UsersHandler } from './users.handler.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [ProjectsModule, PasswordsModule, CredentialNoticesModule],
  controllers: [UsersHandler],
  providers: [UsersService, UsersRepository],
  exports: [UsersService],
})
export class UsersModule {}
