import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AccessTokens } from '#auth';
import { ConfigModule, type PlatformConfig } from '#config';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { AuthController } from './auth/auth.controller.js';
import { HealthController } from './health/health.controller.js';
import { AuthGuard } from './http/auth.guard.js';
import { ContractBodyPipe } from './http/contract-body.pipe.js';
import { ProblemFilter } from './http/problem.filter.js';
import { RequestContextInterceptor } from './http/request-context.interceptor.js';
import { MeController } from './users/me.controller.js';

@Module({})
export class GatewayModule {
  static forRoot(config: PlatformConfig, bus: BusClient): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ConfigModule.forRoot(config)],
      controllers: [AuthController, MeController, HealthController],
      providers: [
        { provide: BUS_CLIENT, useValue: bus },
        { provide: AccessTokens, useValue: new AccessTokens(config.jwtSecret ?? '', config.accessTokenTtlSeconds) },
        AuthGuard,
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: ContractBodyPipe },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
      ],
    };
  }
}
