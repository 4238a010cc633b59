import { Module } from '@nestjs/common';
import { loadIdentityConfig } from '#config';
import { SuperuserGuard } from '../http/superuser.guard.js';
import { AdminController } from './admin/admin.controller.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { PasswordController } from './auth/password.controller.js';
import { OidcController } from './oidc/oidc.controller.js';

/**
 * The identity settings are enforced by identity; the gateway loads them too so that a deployment
 * with a bad value (which usually gives every process the same environment) fails at start-up
 * here as well, naming the variable, instead of at the first sign-in.
 */
const IDENTITY_CONFIG_CHECK = Symbol('IDENTITY_CONFIG_CHECK');

/** HTTP routes for signing in and staying safe: auth, API keys, admin, audit log. */
@Module({
  controllers: [AuthController, PasswordController, ApiKeysController, AdminController, OidcController],
  providers: [SuperuserGuard, { provide: IDENTITY_CONFIG_CHECK, useFactory: () => loadIdentityConfig() }],
})
export class AccessHttpModule {}
