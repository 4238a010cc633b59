import { Module } from '@nestjs/common';
import { MeController } from './users/me.controller.js';

/** HTTP routes of the signed-in user's own things: profile, settings, projects, notifications. */
@Module({ controllers: [MeController] })
export class AccountHttpModule {}
