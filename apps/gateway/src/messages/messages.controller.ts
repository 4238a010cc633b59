import { Body, Controller, Delete, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, EditMessageBody, MessageContracts, MessageIdRequest, MessageView } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('messages')
export class MessagesController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post(':id/edit')
  @ApiOperation({ summary: 'Edit a user message: a sibling with the new text starts a new branch, which becomes current' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: MessageView })
  edit(@Param() params: MessageIdRequest, @Body() body: EditMessageBody, @CurrentActor() actor: Actor): Promise<MessageView> {
    return this.bus.request(MessageContracts.edit, { ...body, id: params.id }, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a message and every message answering it; restorable until the retention period ends' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@Param() params: MessageIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(MessageContracts.delete, params, { actor });
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bring back a deleted message with the messages deleted along with it' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: MessageView })
  @ProblemResponses(409)
  restore(@Param() params: MessageIdRequest, @CurrentActor() actor: Actor): Promise<MessageView> {
    return this.bus.request(MessageContracts.restore, params, { actor });
  }
}
