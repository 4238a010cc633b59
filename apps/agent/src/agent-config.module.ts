import { Global, Module } from '@nestjs/common';
import { loadAgentConfig } from '#config';

export const AGENT_CONFIG = Symbol('AGENT_CONFIG');

/**
 * The agent service's own settings, read from the environment when the service starts: a bad
 * value makes start-up fail with a message naming the variable (main.ts checks it even earlier).
 */
@Global()
@Module({ providers: [{ provide: AGENT_CONFIG, useFactory: () => loadAgentConfig() }], exports: [AGENT_CONFIG] })
export class AgentConfigModule {}
