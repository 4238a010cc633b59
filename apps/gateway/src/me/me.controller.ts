import { Body, Controller, Delete, Get, HttpCode, Inject, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountContracts, type Actor, ChangeEmailRequest, ChangePasswordRequest, IdentityContracts, ProfileView, UpdateProfileRequest, type UserView } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard, CurrentProfile, CurrentSessionId } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 503, 504)
@Controller('me')
export class MeController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOkResponse({ type: ProfileView })
  @ApiOperation({ summary: 'Read your profile' })
  async getMe(@CurrentActor() actor: Actor, @CurrentProfile() profile: ProfileView | undefined): Promise<UserView> {
    // Identity sends the profile with every credential check and broadcasts each change to it
    // before answering, so the copy this request was authenticated with is current.
    return profile ?? this.bus.request(IdentityContracts.getMe, {}, { actor });
  }

  @Patch()
  @ApiOperation({ summary: 'Change your name or username' })
  @ApiOkResponse({ type: ProfileView })
  @ProblemResponses(400, 409)
  updateMe(@Body() body: UpdateProfileRequest, @CurrentActor() actor: Actor): Promise<ProfileView> {
    return this.bus.request(AccountContracts.updateProfile, body, { actor });
  }

  @Post('email')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change your email address; needs your current password' })
  @ApiOkResponse({ type: ProfileView })
  @ProblemResponses(400, 409)
  changeEmail(@Body() body: ChangeEmailRequest, @CurrentActor() actor: Actor): Promise<ProfileView> {
    return this.bus.request(AccountContracts.changeEmail, body, { actor });
  }

  @Post('password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Password changed; every other session is signed out, this one stays' })
  @ProblemResponses(400, 403, 429)
  @ApiOperation({ summary: 'Change your password' })
  async changePassword(@Body() body: ChangePasswordRequest, @CurrentActor() actor: Actor, @CurrentSessionId() sessionId: string | undefined): Promise<void> {
    await this.bus.request(IdentityContracts.changePassword, { ...body, sessionId }, { actor });
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The account and its sessions are deleted; every service removes its data' })
  @ApiOperation({ summary: 'Delete your account' })
  async deleteMe(@CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(IdentityContracts.deleteMe, {}, { actor });
  }
}
