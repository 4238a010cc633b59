import { Controller, Get, Inject, Query, Redirect } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { AccessContracts, type Actor, OidcCallbackRequest, SessionReply } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('auth')
@ProblemResponses(404, 503, 504)
@Controller('auth/oidc')
export class OidcController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get('login')
  @Redirect()
  @ApiFoundResponse({ description: 'To the identity provider, with state, nonce and a PKCE S256 challenge' })
  @ApiOperation({ summary: 'Start signing in with the OIDC provider' })
  async login(@CurrentActor() actor: Actor): Promise<{ url: string; statusCode: number }> {
    const { authorizationUrl } = await this.bus.request(AccessContracts.oidcLogin, {}, { actor });
    return { url: authorizationUrl, statusCode: 302 };
  }

  @Get('callback')
  @ApiOkResponse({ type: SessionReply, description: 'Signed in: the user is found by (provider, subject), linked by verified email, or created' })
  @ProblemResponses(400, 401, 409)
  @ApiOperation({ summary: "The OIDC provider's redirect back, which finishes signing in" })
  callback(@Query() query: OidcCallbackRequest, @CurrentActor() actor: Actor): Promise<SessionReply> {
    return this.bus.request(AccessContracts.oidcCallback, query, { actor });
  }
}
