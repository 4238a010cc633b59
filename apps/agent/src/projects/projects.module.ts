import { Module } from '@nestjs/common';
import { ProjectsService } from './projects.service.js';

/** Projects belong to the identity service; this asks it whether one is the caller's. */
@Module({ providers: [ProjectsService], exports: [ProjectsService] })
export class ProjectsModule {}
