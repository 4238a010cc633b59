import { Module } from '@nestjs/common';
import { MeController } from './me.controller.js';

/** The signed-in user: /me, their email and password, deleting the account. */
@Module({ controllers: [MeController] })
export class MeModule {}
