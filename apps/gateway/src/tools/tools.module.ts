import { Module } from '@nestjs/common';
import { ToolsController } from './tools.controller.js';

/** /tools: the tool registry (built-ins and HTTP tools) and the tools an agent may use. */
@Module({ controllers: [ToolsController] })
export class ToolsModule {}
