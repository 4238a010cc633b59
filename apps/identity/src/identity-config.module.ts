import type { Provider } from '@nestjs/common';
import { loadIdentityConfig } from '#config';

export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

/** Loaded when the module is built, so a bad variable stops identity's start with its name. */
export const identityConfigProvider: Provider = { provide: IDENTITY_CONFIG, useFactory: () => loadIdentityConfig() };
