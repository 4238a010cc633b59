import { Module } from '@nestjs/common';
import { TemplatesController } from './templates.controller.js';

/** /templates: the built-in agent templates. */
@Module({ controllers: [TemplatesController] })
export class TemplatesModule {}
