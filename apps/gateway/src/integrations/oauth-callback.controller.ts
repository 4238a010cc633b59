import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, ConnectionContracts, ConnectionView, OAuthCallbackRequest } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { ProblemResponses } from '../http/openapi.js';

/** Where the provider sends the browser back: no bearer token, the one-time state says whose connection it is. */
@ApiTags('integrations')
@ProblemResponses(400, 404, 503, 504)
@Controller('integrations/oauth')
export class OAuthCallbackController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get('callback')
  @ApiOperation({ summary: 'The OAuth redirect URI (INTEGRATION_OAUTH_REDIRECT_URL): exchanges the code and answers the new connection' })
  @ApiOkResponse({ type: ConnectionView })
  callback(@Query() query: OAuthCallbackRequest, @CurrentActor() actor: Actor): Promise<ConnectionView> {
    return this.bus.request(ConnectionContracts.callback, query, { actor });
  }
}
