import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiCreatedResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { type Actor, IdentityContracts, LoginRequest, LogoutRequest, RefreshRequest, RegisterRequest, SessionReply } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('auth')
@ProblemResponses(400, 409, 413, 429, 503, 504)
@Controller('auth')
export class AuthController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post('register')
  @ApiCreatedResponse({ type: SessionReply, description: 'The account, signed in' })
  @ApiOperation({ summary: 'Create an account' })
  register(@Body() body: RegisterRequest, @CurrentActor() actor: Actor): Promise<SessionReply> {
    return this.bus.request(IdentityContracts.register, body, { actor });
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionReply })
  @ProblemResponses(401)
  @ApiOperation({ summary: 'Sign in with email and password' })
  login(@Body() body: LoginRequest, @CurrentActor() actor: Actor): Promise<SessionReply> {
    return this.bus.request(IdentityContracts.login, body, { actor });
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionReply, description: 'A new access token and a new refresh token; the old refresh token is spent' })
  @ProblemResponses(401)
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens' })
  refresh(@Body() body: RefreshRequest, @CurrentActor() actor: Actor): Promise<SessionReply> {
    return this.bus.request(IdentityContracts.refresh, body, { actor });
  }

  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The session of this refresh token is ended' })
  @ApiOperation({ summary: 'Sign out: end the session of a refresh token' })
  async logout(@Body() body: LogoutRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(IdentityContracts.logout, body, { actor });
  }
}
