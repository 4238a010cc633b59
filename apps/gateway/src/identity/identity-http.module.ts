import { Module } from '@nestjs/common';
import { AuthController } from './auth/auth.controller.js';
import { MeController } from './users/me.controller.js';

/** HTTP routes of the identity service: auth, profile (and, as they come, keys, settings, projects, admin). */
@Module({ controllers: [AuthController, MeController] })
export class IdentityHttpModule {}
