import { Module } from '@nestjs/common';
import { ProjectsController } from './projects.controller.js';

/** /projects: folders for agents, workflows and MCP servers. */
@Module({ controllers: [ProjectsController] })
export class ProjectsModule {}
