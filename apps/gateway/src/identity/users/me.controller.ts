import { Controller, Delete, Get, HttpCode, Inject, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, IdentityContracts, UserView } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../../http/actor.js';
import { AuthGuard } from '../../http/auth.guard.js';
import { ProblemResponses } from '../../http/openapi.js';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 503, 504)
@Controller('me')
export class MeController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOkResponse({ type: UserView })
  getMe(@CurrentActor() actor: Actor): Promise<UserView> {
    return this.bus.request(IdentityContracts.getMe, {}, { actor });
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The account and its sessions are deleted; every service removes its data' })
  async deleteMe(@CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(IdentityContracts.deleteMe, {}, { actor });
  }
}
