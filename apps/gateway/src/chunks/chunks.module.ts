import { Module } from '@nestjs/common';
import { ChunksController } from './chunks.controller.js';

/** /chunks/:id. */
@Module({ controllers: [ChunksController] })
export class ChunksModule {}
