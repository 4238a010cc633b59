import { Module } from '@nestjs/common';
import { ResolvedAgentsService } from './resolved-agents.service.js';

/** Agents resolved by the agent service, kept until it says they changed. */
@Module({ providers: [ResolvedAgentsService], exports: [ResolvedAgentsService] })
export class ResolvedAgentsModule {}
