import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  AgentCreatedReply,
  AgentDefinition,
  AgentIdRequest,
  ConfigCacheContracts,
  FromQaRequest,
  ImportAgentRequest,
  ExportAgentQuery,
  RegenerateReply,
  RegeneratePromptBody,
  WarmReply,
  WizardContracts,
  WizardReply,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

/** The wizard, export / import and the config cache: agent routes beyond plain CRUD. */
@ApiTags('agents')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('agents')
export class AgentToolsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post('from-qa')
  @ApiOperation({ summary: 'The Q&A wizard: three answers become an agent with a generated system prompt' })
  @ApiCreatedResponse({ type: WizardReply, description: 'The agent; `refinement` says whether a model improved the draft, and if not, why' })
  fromQa(@Body() body: FromQaRequest, @CurrentActor() actor: Actor): Promise<WizardReply> {
    return this.bus.request(WizardContracts.fromQa, body, { actor });
  }

  @Post(':id/regenerate-prompt')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-run the wizard template on the stored (or the given) answers' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: RegenerateReply })
  @ProblemResponses(404)
  regenerate(@Param() params: AgentIdRequest, @Body() body: RegeneratePromptBody, @CurrentActor() actor: Actor): Promise<RegenerateReply> {
    return this.bus.request(WizardContracts.regeneratePrompt, { ...body, id: params.id }, { actor });
  }

  @Get(':id/export')
  @ApiOperation({ summary: 'A portable JSON definition of one version (the current one by default)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: AgentDefinition })
  @ProblemResponses(404)
  export(@Param() params: AgentIdRequest, @Query() query: ExportAgentQuery, @CurrentActor() actor: Actor): Promise<AgentDefinition> {
    return this.bus.request(WizardContracts.export, { id: params.id, version: query.version }, { actor });
  }

  @Post('import')
  @ApiOperation({ summary: 'Create an agent from an exported definition or a legacy (seed 000 / 001) agent' })
  @ApiCreatedResponse({ type: AgentCreatedReply })
  import(@Body() body: ImportAgentRequest, @CurrentActor() actor: Actor): Promise<AgentCreatedReply> {
    return this.bus.request(WizardContracts.import, body, { actor });
  }

  @Post('warm-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Load your agents (every agent, for a superuser) into the config cache' })
  @ApiOkResponse({ type: WarmReply })
  warmAll(@CurrentActor() actor: Actor): Promise<WarmReply> {
    return this.bus.request(ConfigCacheContracts.warmAll, {}, { actor });
  }

  @Post(':id/warm')
  @HttpCode(200)
  @ApiOperation({ summary: "Load the agent's current configuration into the config cache" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WarmReply })
  @ProblemResponses(404, 409)
  warm(@Param() params: AgentIdRequest, @CurrentActor() actor: Actor): Promise<WarmReply> {
    return this.bus.request(ConfigCacheContracts.warm, { agentId: params.id }, { actor });
  }
}
