import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module.js';
import { PasswordHasher } from '../passwords/passwords.service.js';
import { RegistrationHooks } from './registration-hooks.js';
import { UsersHandler } from './users.handler.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [ProjectsModule],
  controllers: [UsersHandler],
  providers: [UsersService, UsersRepository, RegistrationHooks, PasswordHasher],
  exports: [UsersRepository, RegistrationHooks],
})
export class UsersModule {}
