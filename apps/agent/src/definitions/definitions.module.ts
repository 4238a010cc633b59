import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { DefinitionsHandler } from './definitions.handler.js';
import { DefinitionsService } from './definitions.service.js';

@Module({ imports: [AgentsModule], controllers: [DefinitionsHandler], providers: [DefinitionsService] })
export class DefinitionsModule {}
