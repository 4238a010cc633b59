import { Module } from '@nestjs/common';
import { type ExecutionConfig, PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { OutboundPolicy } from '#outbound';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { ToolsService } from './tools.service.js';

/** The built-in tools (with the operator's HTTP allowlist and outbound policy) and the caller's client tools an agent run may use. */
@Module({
  providers: [
    {
      provide: ToolsService,
      inject: [EXECUTION_CONFIG, PLATFORM_CONFIG],
      useFactory: (config: ExecutionConfig, platform: PlatformConfig) =>
        new ToolsService({ httpAllowlist: config.httpToolAllowlist, httpPolicy: new OutboundPolicy(platform.outbound) }),
    },
  ],
  exports: [ToolsService],
})
export class ToolsModule {}
