import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, AuthorizeBody, AuthorizeReply, ConnectionContracts, ProviderList, ProviderParams } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('integrations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('integrations')
export class IntegrationsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get('providers')
  @ApiOperation({ summary: 'The OAuth providers the operator configured (Google and others), with their scopes' })
  @ApiOkResponse({ type: ProviderList })
  providers(@CurrentActor() actor: Actor): Promise<ProviderList> {
    return this.bus.request(ConnectionContracts.providers, {}, { actor });
  }

  @Post(':provider/authorize')
  @HttpCode(200)
  @ApiOperation({ summary: "A link to the provider's consent page (OAuth 2 with PKCE); its state is bound to you (and the agent) and works once" })
  @ApiParam({ name: 'provider', example: 'google' })
  @ApiOkResponse({ type: AuthorizeReply })
  @ProblemResponses(404)
  authorize(@Param() params: ProviderParams, @Body() body: AuthorizeBody, @CurrentActor() actor: Actor): Promise<AuthorizeReply> {
    return this.bus.request(ConnectionContracts.authorize, { ...body, provider: params.provider }, { actor });
  }
}
