import { Module } from '@nestjs/common';
import { UsersHandler } from './users.handler.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({ controllers: [UsersHandler], providers: [UsersService, UsersRepository], exports: [UsersRepository] })
export class UsersModule {}
