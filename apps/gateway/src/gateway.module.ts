import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type { PlatformConfig } from '#config';
import type { BusClient } from '#messaging';
import { AgentsHttpModule } from './agents/agents-http.module.js';
import { ConversationsHttpModule } from './conversations/conversations-http.module.js';
import { GatewayCoreModule } from './gateway-core.module.js';
import { HealthController } from './health/health.controller.js';
import { ContractValidationPipe } from './http/contract-validation.pipe.js';
import { ProblemFilter } from './http/problem.filter.js';
import { RequestContextInterceptor } from './http/request-context.interceptor.js';
import { IdentityHttpModule } from './identity/identity-http.module.js';
import { RunsHttpModule } from './runs/runs-http.module.js';

@Module({})
export class GatewayModule {
  static forRoot(config: PlatformConfig, bus: BusClient): DynamicModule {
    return {
      module: GatewayModule,
      imports: [GatewayCoreModule.forRoot(config, bus), IdentityHttpModule, AgentsHttpModule, ConversationsHttpModule, RunsHttpModule],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: ContractValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
      ],
    };
  }
}
