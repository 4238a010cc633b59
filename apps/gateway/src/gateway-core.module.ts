import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AccessTokens } from '#auth';
import { ConfigModule, loadIdentityConfig, type PlatformConfig } from '#config';
import { BROADCAST, type Broadcast, BUS_CLIENT, type BusClient } from '#messaging';
import { AuthGuard } from './http/auth.guard.js';
import { CredentialCache } from './http/credential-cache.js';
import { SuperuserGuard } from './http/superuser.guard.js';

/**
 * The identity settings are enforced by identity; the gateway loads them too so that a deployment
 * with a bad value (which usually gives every process the same environment) fails at start-up
 * here as well, naming the variable, instead of at the first sign-in.
 */
const IDENTITY_CONFIG_CHECK = Symbol('IDENTITY_CONFIG_CHECK');

/** What every HTTP feature module of the gateway injects: the bus client, the broadcasts it hears (when given) and authentication. */
@Global()
@Module({})
export class GatewayCoreModule {
  /** `broadcast`: identity's credential hints and runs' live events; without it every request asks identity (no cache) and runs are long-polled. */
  static forRoot(config: PlatformConfig, bus: BusClient, broadcast?: Broadcast): DynamicModule {
    return {
      module: GatewayCoreModule,
      imports: [ConfigModule.forRoot(config)],
      providers: [
        { provide: BUS_CLIENT, useValue: bus },
        ...(broadcast ? [{ provide: BROADCAST, useValue: broadcast }] : []),
        { provide: AccessTokens, useValue: new AccessTokens(config.jwtSecret ?? '', config.accessTokenTtlSeconds) },
        { provide: IDENTITY_CONFIG_CHECK, useFactory: () => loadIdentityConfig() },
        { provide: CredentialCache, useFactory: () => new CredentialCache(config.credentialCacheMs, broadcast) },
        AuthGuard,
        SuperuserGuard,
      ],
      exports: [BUS_CLIENT, ...(broadcast ? [BROADCAST] : []), AccessTokens, CredentialCache, AuthGuard, SuperuserGuard, ConfigModule],
    };
  }
}
