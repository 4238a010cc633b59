import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller.js';
import { OidcController } from './oidc.controller.js';

/** /auth: registering, signing in and out with a password or an OpenID Connect provider, refreshing tokens. */
@Module({ controllers: [AuthController, OidcController] })
export class AuthModule {}
