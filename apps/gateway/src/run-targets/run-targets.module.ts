import { Module } from '@nestjs/common';
import { RunTargetsService } from './run-targets.service.js';

/** What the OpenAI-compatible and MCP faces can run: the caller's agents and published workflows, found by id or slug. */
@Module({ providers: [RunTargetsService], exports: [RunTargetsService] })
export class RunTargetsModule {}
