import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AgentConfigCache } from './agent-config-cache.js';
import { ConfigCacheHandler } from './config-cache.handler.js';
import { ConfigCacheService } from './config-cache.service.js';

@Module({ imports: [AgentsModule], controllers: [ConfigCacheHandler], providers: [ConfigCacheService, AgentConfigCache], exports: [ConfigCacheService] })
export class ConfigCacheModule {}
