import { Module } from '@nestjs/common';
import { AuthController } from './auth/auth.controller.js';

/** HTTP routes for signing in and staying safe: auth, API keys, admin, audit log. */
@Module({ controllers: [AuthController] })
export class AccessHttpModule {}
