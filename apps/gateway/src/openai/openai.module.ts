import { Module, RequestMethod } from '@nestjs/common';
import { RunTargetsModule } from '../run-targets/run-targets.module.js';
import { RunsModule } from '../runs/runs.module.js';
import { OpenAiController } from './openai.controller.js';
import { OpenAiService } from './openai.service.js';

/** The OpenAI-compatible routes live outside the API prefix, where OpenAI clients look for them (baseURL .../v1). */
export const OPENAI_ROUTES = [
  { path: 'v1/models', method: RequestMethod.GET },
  { path: 'v1/models/:model', method: RequestMethod.GET },
  { path: 'v1/chat/completions', method: RequestMethod.POST },
  { path: 'v1/responses', method: RequestMethod.POST },
  { path: 'v1/responses/:id', method: RequestMethod.GET },
  { path: 'v1/responses/:id/cancel', method: RequestMethod.POST },
];

/** /v1: the caller's agents and published workflows behind OpenAI's Chat Completions and Responses APIs, every call a run. */
@Module({ imports: [RunsModule, RunTargetsModule], controllers: [OpenAiController], providers: [OpenAiService], exports: [OpenAiService] })
export class OpenAiModule {}
