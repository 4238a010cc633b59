import { Module } from '@nestjs/common';
import { ChunksHandler } from './chunks.handler.js';
import { ChunksRepository } from './chunks.repository.js';
import { ChunksService } from './chunks.service.js';

@Module({ controllers: [ChunksHandler], providers: [ChunksService, ChunksRepository], exports: [ChunksService] })
export class ChunksModule {}
