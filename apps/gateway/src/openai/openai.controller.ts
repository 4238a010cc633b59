import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ChatCompletionRequest, CreateResponseRequest, ModelIdRequest, ResponseIdRequest } from './openai.requests.js';
import { OpenAiService } from './openai.service.js';

/**
 * The OpenAI-compatible API under /v1 (outside /api/v1): OpenAI's shapes, its error JSON (the
 * problem filter answers /v1 paths in that shape), the
 * platform's Bearer credentials and scopes (a read-only key may list models, not call them).
 * Documented in the README rather than in /docs, whose problem+json conventions it does not follow.
 */
@ApiExcludeController()
@UseGuards(AuthGuard)
@Controller('v1')
export class OpenAiController {
  constructor(private readonly openai: OpenAiService) {}

  @Get('models')
  models(@CurrentActor() actor: Actor) {
    return this.openai.models(actor);
  }

  @Get('models/:model')
  model(@Param() params: ModelIdRequest, @CurrentActor() actor: Actor) {
    return this.openai.model(actor, params.model);
  }

  @Post('chat/completions')
  async chatCompletions(@Body() body: ChatCompletionRequest, @CurrentActor() actor: Actor, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.openai.chatCompletion(actor, body, request, reply);
  }

  @Post('responses')
  async createResponse(@Body() body: CreateResponseRequest, @CurrentActor() actor: Actor, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.openai.createResponse(actor, body, request, reply);
  }

  @Get('responses/:id')
  getResponse(@Param() params: ResponseIdRequest, @CurrentActor() actor: Actor) {
    return this.openai.getResponse(actor, params.id);
  }

  @Post('responses/:id/cancel')
  @HttpCode(200)
  cancelResponse(@Param() params: ResponseIdRequest, @CurrentActor() actor: Actor) {
    return this.openai.cancelResponse(actor, params.id);
  }
}
