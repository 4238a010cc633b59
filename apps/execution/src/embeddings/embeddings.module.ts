import { Module } from '@nestjs/common';
import { AgentLoopModule } from '../agent-loop/agent-loop.module.js';
import { EmbeddingsHandler } from './embeddings.handler.js';
import { EmbeddingsService } from './embeddings.service.js';

@Module({ imports: [AgentLoopModule], controllers: [EmbeddingsHandler], providers: [EmbeddingsService], exports: [EmbeddingsService] })
export class EmbeddingsModule {}
