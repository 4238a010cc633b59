import { Module } from '@nestjs/common';
import { DefinitionsService } from './definitions.service.js';

/** Checking workflow definitions (structure and references) and comparing them. */
@Module({ providers: [DefinitionsService], exports: [DefinitionsService] })
export class DefinitionsModule {}
