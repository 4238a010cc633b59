import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, ChangePasswordRequest, IdentityContracts } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../../http/actor.js';
import { AuthGuard, CurrentSessionId } from '../../http/auth.guard.js';
import { ProblemResponses } from '../../http/openapi.js';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('me')
export class PasswordController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post('password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Password changed; every other session is signed out, this one stays' })
  @ProblemResponses(400, 401, 403, 429, 503, 504)
  async change(@Body() body: ChangePasswordRequest, @CurrentActor() actor: Actor, @CurrentSessionId() sessionId: string | undefined): Promise<void> {
    await this.bus.request(IdentityContracts.changePassword, { ...body, sessionId }, { actor });
  }
}
