import { Module } from '@nestjs/common';
import { PromptTemplatesController } from './prompt-templates.controller.js';

/** /prompt-templates: the user's versioned prompt templates. */
@Module({ controllers: [PromptTemplatesController] })
export class PromptTemplatesModule {}
