import { Global, Module } from '@nestjs/common';
import { loadIdentityConfig } from '#config';

export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

/**
 * The identity service's own settings (external identity provider, first superuser, rate limits),
 * read from the environment when the module is built: a bad value stops identity's start with a
 * message naming the variable.
 */
@Global()
@Module({ providers: [{ provide: IDENTITY_CONFIG, useFactory: () => loadIdentityConfig() }], exports: [IDENTITY_CONFIG] })
export class IdentityConfigModule {}
