import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { PublicLinkThrottle } from './public-link-throttle.js';
import { PublicLinksHandler } from './public-links.handler.js';
import { PublicLinksRepository } from './public-links.repository.js';
import { PublicLinksService } from './public-links.service.js';

/** Publishing, and public links that run a published version with no account. */
@Module({ imports: [WorkflowsModule], controllers: [PublicLinksHandler], providers: [PublicLinksService, PublicLinksRepository, PublicLinkThrottle], exports: [PublicLinksService] })
export class PublicLinksModule {}
