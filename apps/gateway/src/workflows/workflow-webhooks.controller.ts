import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, CreateWebhookTriggerBody, WebhookContracts, WebhookTriggerCreated, WebhookTriggerIdRequest, WebhookTriggerList, WorkflowIdRequest } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('workflows')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('workflows')
export class WorkflowWebhooksController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post(':id/webhooks')
  @ApiOperation({ summary: 'Make an inbound webhook that runs the workflow; its signing secret is shown once' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: WebhookTriggerCreated })
  create(@Param() params: WorkflowIdRequest, @Body() body: CreateWebhookTriggerBody, @CurrentActor() actor: Actor): Promise<WebhookTriggerCreated> {
    return this.bus.request(WebhookContracts.create, { ...body, id: params.id }, { actor });
  }

  @Get(':id/webhooks')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookTriggerList })
  @ApiOperation({ summary: "List a workflow's inbound webhooks" })
  list(@Param() params: WorkflowIdRequest, @CurrentActor() actor: Actor): Promise<WebhookTriggerList> {
    return this.bus.request(WebhookContracts.list, params, { actor });
  }

  @Delete(':id/webhooks/:triggerId')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'triggerId', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted: deliveries to it are refused from now on' })
  @ApiOperation({ summary: "Delete one of a workflow's inbound webhooks" })
  async delete(@Param() params: WebhookTriggerIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(WebhookContracts.delete, params, { actor });
  }
}
