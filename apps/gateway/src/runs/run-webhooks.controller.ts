import { Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, RunWebhookContracts, WebhookSecretView } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('runs')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 503, 504)
@Controller('webhooks/signing-secret')
export class RunWebhooksController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Your secret for verifying run webhooks (x-webhook-signature: v1=HMAC-SHA256 of "<x-webhook-timestamp>.<body>"), made on first use' })
  @ApiOkResponse({ type: WebhookSecretView })
  secret(@CurrentActor() actor: Actor): Promise<WebhookSecretView> {
    return this.bus.request(RunWebhookContracts.secret, {}, { actor });
  }

  @Post('rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace your webhook secret: deliveries sent from now on are signed with the new one' })
  @ApiOkResponse({ type: WebhookSecretView })
  rotate(@CurrentActor() actor: Actor): Promise<WebhookSecretView> {
    return this.bus.request(RunWebhookContracts.rotateSecret, {}, { actor });
  }
}
