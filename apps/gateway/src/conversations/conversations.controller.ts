import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import {
  type Actor,
  AddMessageBody,
  AppError,
  AttachmentContracts,
  AttachmentView,
  ConversationContracts,
  ConversationIdRequest,
  ConversationList,
  ConversationMessageRunBody,
  ConversationTree,
  ConversationView,
  CreateConversationRequest,
  ErrorCode,
  ListConversationsQuery,
  ListMessagesQuery,
  MessageContracts,
  MessageList,
  MessageView,
  RunView,
  SwitchBranchBody,
  UpdateConversationBody,
  UploadAttachmentBody,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { validateRequestPart } from '../http/contract-validation.pipe.js';
import { ProblemResponses, RUN_STREAM_CONTENT } from '../http/openapi.js';
import { IdempotencyKeyHeader, RUN_MODES_DESCRIPTION, RunsService } from '../runs/runs.service.js';
import { ConversationMessageQuery } from './conversation-message-query.js';

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('conversations')
export class ConversationsController {
  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    private readonly runs: RunsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a conversation with one of your agents, or with one of your workflows' })
  @ApiCreatedResponse({ type: ConversationView })
  @ProblemResponses(404, 409)
  create(@Body() body: CreateConversationRequest, @CurrentActor() actor: Actor): Promise<ConversationView> {
    return this.bus.request(ConversationContracts.create, body, { actor });
  }

  @Get()
  @ApiOperation({ summary: 'List your conversations, most recent activity first' })
  @ApiOkResponse({ type: ConversationList })
  list(@Query() query: ListConversationsQuery, @CurrentActor() actor: Actor): Promise<ConversationList> {
    return this.bus.request(ConversationContracts.list, query, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read a conversation' })
  get(@Param() params: ConversationIdRequest, @CurrentActor() actor: Actor): Promise<ConversationView> {
    return this.bus.request(ConversationContracts.get, params, { actor });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, archive, or change the metadata or session context of a conversation' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationView })
  @ProblemResponses(404)
  update(@Param() params: ConversationIdRequest, @Body() body: UpdateConversationBody, @CurrentActor() actor: Actor): Promise<ConversationView> {
    return this.bus.request(ConversationContracts.update, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation; it can be restored until the retention period ends' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(404)
  async delete(@Param() params: ConversationIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(ConversationContracts.delete, params, { actor });
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bring back a deleted conversation' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationView })
  @ProblemResponses(404, 409)
  restore(@Param() params: ConversationIdRequest, @CurrentActor() actor: Actor): Promise<ConversationView> {
    return this.bus.request(ConversationContracts.restore, params, { actor });
  }

  @Get(':id/messages')
  @ApiOperation({ summary: 'The current branch, root first, or the branch ending at ?leaf=' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: MessageList })
  @ProblemResponses(404)
  messages(
    @Param() params: ConversationIdRequest,
    @Query() query: ListMessagesQuery,
    @CurrentActor() actor: Actor,
  ): Promise<MessageList> {
    return this.bus.request(MessageContracts.list, { ...query, id: params.id }, { actor });
  }

  @Post(':id/messages')
  @ApiOperation({
    summary: "Send a message: it is appended (under parentId, or the current leaf) and the conversation's agent answers it",
    description:
      `${RUN_MODES_DESCRIPTION} ` +
      'With `?run=false` the message is only appended (201 with the message) and no agent runs: for importing history; the run options of the body do not apply then. ' +
      'While another run of the conversation is active, `onActiveRun` decides: reject (409 with activeRunId, the default), enqueue, or interrupt.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @IdempotencyKeyHeader
  @ApiBody({ type: ConversationMessageRunBody })
  @ApiOkResponse({ description: 'The settled run (wait mode), or the event stream (stream=true)', content: { 'application/json': { schema: { $ref: getSchemaPath(RunView) } }, ...RUN_STREAM_CONTENT } })
  @ApiAcceptedResponse({ type: RunView, description: 'background=true: the run, queued' })
  @ApiCreatedResponse({ type: MessageView, description: 'run=false: the appended message' })
  @ProblemResponses(404, 409, 429)
  async addMessage(
    @Param() params: ConversationIdRequest,
    @Query() query: ConversationMessageQuery,
    @Body() raw: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (query.run === 'false') {
      if (query.stream !== undefined || query.background !== undefined) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'query string is invalid', {
          errors: [{ field: 'run', problems: ['run=false only appends the message: stream and background do not apply'] }],
        });
      }
      const body = await validateRequestPart(AddMessageBody, raw, 'body');
      const message = await this.bus.request(MessageContracts.add, { ...body, id: params.id }, { actor });
      void reply.status(201).send(message);
      return;
    }
    const mode = this.runs.modeOf(query);
    const idempotencyKey = this.runs.idempotencyKeyOf(request);
    const { content, ...options } = await validateRequestPart(ConversationMessageRunBody, raw, 'body');
    await this.runs.start(actor, request, reply, { ...options, input: content, conversationId: params.id, ...(idempotencyKey ? { idempotencyKey } : {}) }, mode);
  }

  @Get(':id/tree')
  @ApiOperation({ summary: 'Every message of the conversation, compactly, with the current leaf' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationTree })
  @ProblemResponses(404)
  tree(@Param() params: ConversationIdRequest, @CurrentActor() actor: Actor): Promise<ConversationTree> {
    return this.bus.request(MessageContracts.tree, params, { actor });
  }

  @Post(':id/switch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show another branch: the newest leaf at or below leafId becomes current' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: MessageList })
  @ProblemResponses(404)
  switchBranch(@Param() params: ConversationIdRequest, @Body() body: SwitchBranchBody, @CurrentActor() actor: Actor): Promise<MessageList> {
    return this.bus.request(MessageContracts.switchBranch, { ...body, id: params.id }, { actor });
  }

  @Post(':id/attachments')
  @ApiOperation({
    summary: 'Upload a file to the conversation (JSON with the bytes in base64)',
    description: 'At most CONVERSATION_ATTACHMENT_MAX_BYTES (512 KiB by default, 700,000 at most: the bytes travel in one bus message); the type must be in CONVERSATION_ATTACHMENT_TYPES.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: AttachmentView })
  @ProblemResponses(404, 413, 415)
  upload(@Param() params: ConversationIdRequest, @Body() body: UploadAttachmentBody, @CurrentActor() actor: Actor): Promise<AttachmentView> {
    return this.bus.request(AttachmentContracts.upload, { ...body, id: params.id }, { actor });
  }
}
