import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, PublicLinkContracts, PublicLinkIdRequest, PublicLinkList, PublishedWorkflowView, PublishWorkflowBody, WorkflowIdRequest } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('workflows')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('workflows')
export class WorkflowPublishingController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post(':id/publish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a version (the current one by default) as the published one; with publicLink, also make a public link to it (its token is shown once)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PublishedWorkflowView })
  publish(@Param() params: WorkflowIdRequest, @Body() body: PublishWorkflowBody, @CurrentActor() actor: Actor): Promise<PublishedWorkflowView> {
    return this.bus.request(PublicLinkContracts.publish, { ...body, id: params.id }, { actor });
  }

  @Get(':id/public-links')
  @ApiOperation({ summary: "The workflow's public links (without their tokens)" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PublicLinkList })
  list(@Param() params: WorkflowIdRequest, @CurrentActor() actor: Actor): Promise<PublicLinkList> {
    return this.bus.request(PublicLinkContracts.list, params, { actor });
  }

  @Delete(':id/public-links/:linkId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a public link: it stops working at once' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'linkId', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Revoked' })
  async revoke(@Param() params: PublicLinkIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(PublicLinkContracts.revoke, params, { actor });
  }
}
