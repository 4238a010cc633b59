import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { WizardHandler } from './wizard.handler.js';
import { WizardService } from './wizard.service.js';

@Module({ imports: [AgentsModule], controllers: [WizardHandler], providers: [WizardService], exports: [WizardService] })
export class WizardModule {}
