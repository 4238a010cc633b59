import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags, ApiOperation } from '@nestjs/swagger';
import { AccessContracts, type Actor, ApiKeyList, CreateApiKeyRequest, CreatedApiKey, IdRequest } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('api keys')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 403, 429, 503, 504)
@Controller('api-keys')
export class ApiKeysController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOkResponse({ type: ApiKeyList, description: 'Your live keys, newest first; never the keys themselves' })
  @ApiOperation({ summary: 'List your API keys' })
  list(@CurrentActor() actor: Actor): Promise<ApiKeyList> {
    return this.bus.request(AccessContracts.listApiKeys, {}, { actor });
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKey, description: 'The key is in `key`, shown this once' })
  @ProblemResponses(400, 409)
  @ApiOperation({ summary: 'Create an API key (its secret is shown once)' })
  create(@Body() body: CreateApiKeyRequest, @CurrentActor() actor: Actor): Promise<CreatedApiKey> {
    return this.bus.request(AccessContracts.createApiKey, body, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', type: String })
  @ApiNoContentResponse({ description: 'Revoked: the next request with this key is refused' })
  @ProblemResponses(400, 404)
  @ApiOperation({ summary: 'Revoke an API key' })
  async revoke(@Param() params: IdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(AccessContracts.revokeApiKey, params, { actor });
  }
}
