import { Module } from '@nestjs/common';
import { ProjectsHandler } from './projects.handler.js';
import { ProjectsRepository } from './projects.repository.js';
import { ProjectsService } from './projects.service.js';

@Module({ controllers: [ProjectsHandler], providers: [ProjectsService, ProjectsRepository], exports: [ProjectsService] })
export class ProjectsModule {}
