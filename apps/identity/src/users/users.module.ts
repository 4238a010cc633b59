import { Module } from '@nestjs/common';
import { RegistrationHooks } from './registration-hooks.js';
import { UsersHandler } from './users.handler.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({ controllers: [UsersHandler], providers: [UsersService, UsersRepository, RegistrationHooks], exports: [UsersRepository, RegistrationHooks] })
export class UsersModule {}
