import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AccountContracts, type Actor, LLM_PROVIDERS, ProviderKeyView, ProviderRequest, PutProviderKeyBody, SettingsView, UpdateSettingsRequest } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('settings')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 503, 504)
@Controller('settings')
export class SettingsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOkResponse({ type: SettingsView, description: 'Provider keys appear only as set, with their last four characters' })
  @ApiOperation({ summary: 'Read your settings' })
  get(@CurrentActor() actor: Actor): Promise<SettingsView> {
    return this.bus.request(AccountContracts.getSettings, {}, { actor });
  }

  @Patch()
  @ApiOkResponse({ type: SettingsView })
  @ProblemResponses(400)
  @ApiOperation({ summary: 'Change your settings' })
  update(@Body() body: UpdateSettingsRequest, @CurrentActor() actor: Actor): Promise<SettingsView> {
    return this.bus.request(AccountContracts.updateSettings, body, { actor });
  }

  @Put('provider-keys/:provider')
  @ApiOperation({ summary: 'Store (or replace) your API key for a model provider, encrypted at rest' })
  @ApiParam({ name: 'provider', enum: LLM_PROVIDERS })
  @ApiOkResponse({ type: ProviderKeyView })
  @ProblemResponses(400)
  putProviderKey(@Param() params: ProviderRequest, @Body() body: PutProviderKeyBody, @CurrentActor() actor: Actor): Promise<ProviderKeyView> {
    return this.bus.request(AccountContracts.putProviderKey, { ...body, provider: params.provider }, { actor });
  }

  @Delete('provider-keys/:provider')
  @HttpCode(204)
  @ApiParam({ name: 'provider', enum: LLM_PROVIDERS })
  @ApiNoContentResponse({ description: 'The key is deleted' })
  @ProblemResponses(400, 404)
  @ApiOperation({ summary: 'Delete your key for a model provider' })
  async deleteProviderKey(@Param() params: ProviderRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(AccountContracts.deleteProviderKey, params, { actor });
  }
}
