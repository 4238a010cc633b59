import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  AddMessageBody,
  AttachmentContracts,
  AttachmentView,
  ConversationContracts,
  ConversationIdRequest,
  ConversationList,
  ConversationTree,
  ConversationView,
  CreateConversationRequest,
  ListConversationsQuery,
  ListMessagesQuery,
  MessageContracts,
  MessageList,
  MessageView,
  SwitchBranchBody,
  UpdateConversationBody,
  UploadAttachmentBody,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { ContractParamsPipe } from '../agents/contract-params.pipe.js';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

const conversationId = new ContractParamsPipe(ConversationIdRequest, 'path');

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('conversations')
export class ConversationsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post()
  @ApiOperation({ summary: 'Start a conversation with one of your agents, or with a workflow' })
  @ApiCreatedResponse({ type: ConversationView })
  @ProblemResponses(409)
  create(@Body() body: CreateConversationRequest, @CurrentActor() actor: Actor): Promise<ConversationView> {
    return this.bus.request(ConversationContracts.create, body, { actor });
  }

  @Get()
  @ApiOperation({ summary: 'List your conversations, most recent activity first' })
  @ApiOkResponse({ type: ConversationList })
  list(@Query(new ContractParamsPipe(ListConversationsQuery, 'query string')) query: ListConversationsQuery, @CurrentActor() actor: Actor): Promise<ConversationList> {
    return this.bus.request(ConversationContracts.list, query, { actor });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationView })
  @ProblemResponses(404)
  get(@Param(conversationId) params: ConversationIdRequest, @CurrentActor() actor: Actor): Promise<ConversationView> {
    return this.bus.request(ConversationContracts.get, params, { actor });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, archive, or change the metadata or session context of a conversation' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationView })
  @ProblemResponses(404)
  update(@Param(conversationId) params: ConversationIdRequest, @Body() body: UpdateConversationBody, @CurrentActor() actor: Actor): Promise<ConversationView> {
    return this.bus.request(ConversationContracts.update, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation; it can be restored until the retention period ends' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(404)
  async delete(@Param(conversationId) params: ConversationIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(ConversationContracts.delete, params, { actor });
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bring back a deleted conversation' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationView })
  @ProblemResponses(404, 409)
  restore(@Param(conversationId) params: ConversationIdRequest, @CurrentActor() actor: Actor): Promise<ConversationView> {
    return this.bus.request(ConversationContracts.restore, params, { actor });
  }

  @Get(':id/messages')
  @ApiOperation({ summary: 'The current branch, root first, or the branch ending at ?leaf=' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: MessageList })
  @ProblemResponses(404)
  messages(
    @Param(conversationId) params: ConversationIdRequest,
    @Query(new ContractParamsPipe(ListMessagesQuery, 'query string')) query: ListMessagesQuery,
    @CurrentActor() actor: Actor,
  ): Promise<MessageList> {
    return this.bus.request(MessageContracts.list, { ...query, id: params.id }, { actor });
  }

  @Post(':id/messages')
  @ApiOperation({
    summary: 'Append a user message (under parentId, or the current leaf); it becomes the current leaf',
    description: 'Runs no agent: running the agent on the new message arrives with the execution service.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: MessageView })
  @ProblemResponses(404)
  addMessage(@Param(conversationId) params: ConversationIdRequest, @Body() body: AddMessageBody, @CurrentActor() actor: Actor): Promise<MessageView> {
    return this.bus.request(MessageContracts.add, { ...body, id: params.id }, { actor });
  }

  @Get(':id/tree')
  @ApiOperation({ summary: 'Every message of the conversation, compactly, with the current leaf' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationTree })
  @ProblemResponses(404)
  tree(@Param(conversationId) params: ConversationIdRequest, @CurrentActor() actor: Actor): Promise<ConversationTree> {
    return this.bus.request(MessageContracts.tree, params, { actor });
  }

  @Post(':id/switch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show another branch: the newest leaf at or below leafId becomes current' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: MessageList })
  @ProblemResponses(404)
  switchBranch(@Param(conversationId) params: ConversationIdRequest, @Body() body: SwitchBranchBody, @CurrentActor() actor: Actor): Promise<MessageList> {
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
  upload(@Param(conversationId) params: ConversationIdRequest, @Body() body: UploadAttachmentBody, @CurrentActor() actor: Actor): Promise<AttachmentView> {
    return this.bus.request(AttachmentContracts.upload, { ...body, id: params.id }, { actor });
  }
}
