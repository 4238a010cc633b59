import { Module } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { ToolsService } from './tools.service.js';

/** The built-in tools (with the operator's HTTP allowlist) and the caller's client tools an agent run may use. */
@Module({
  providers: [{ provide: ToolsService, inject: [EXECUTION_CONFIG], useFactory: (config: ExecutionConfig) => new ToolsService({ httpAllowlist: config.httpToolAllowlist }) }],
  exports: [ToolsService],
})
export class ToolsModule {}
