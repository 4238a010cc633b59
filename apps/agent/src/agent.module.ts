import { Module } from '@nestjs/common';
import { AccountCleanupModule } from './account-cleanup/account-cleanup.module.js';
import { AgentConfigModule } from './agent-config.module.js';
import { AgentsModule } from './agents/agents.module.js';
import { ConfigCacheModule } from './config-cache/config-cache.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { WizardModule } from './wizard/wizard.module.js';

@Module({ imports: [AgentConfigModule, AgentsModule, WizardModule, TemplatesModule, ConfigCacheModule, AccountCleanupModule] })
export class AgentModule {}
