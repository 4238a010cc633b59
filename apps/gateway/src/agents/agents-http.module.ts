import { Module } from '@nestjs/common';

/** HTTP routes of the agent service. */
@Module({})
export class AgentsHttpModule {}
