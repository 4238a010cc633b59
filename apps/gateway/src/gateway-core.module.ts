import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AccessTokens } from '#auth';
import { ConfigModule, type PlatformConfig } from '#config';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { AuthGuard } from './http/auth.guard.js';

/** What every HTTP feature module of the gateway injects: the bus client and authentication. */
@Global()
@Module({})
export class GatewayCoreModule {
  static forRoot(config: PlatformConfig, bus: BusClient): DynamicModule {
    return {
      module: GatewayCoreModule,
      imports: [ConfigModule.forRoot(config)],
      providers: [
        { provide: BUS_CLIENT, useValue: bus },
        { provide: AccessTokens, useValue: new AccessTokens(config.jwtSecret ?? '', config.accessTokenTtlSeconds) },
        AuthGuard,
      ],
      exports: [BUS_CLIENT, AccessTokens, AuthGuard, ConfigModule],
    };
  }
}
