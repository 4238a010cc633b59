import { Controller, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, WebhookContracts, WebhookDeliveryReply } from '#contracts';
import { WEBHOOK_HEADERS } from '#crypto';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { ProblemResponses } from '../http/openapi.js';
import { KeepRawBody, RawBody } from '../http/raw-body.js';

/** Longer than the workflow service's own wait for the execution service, so its answer (a 503 included) gets back. */
const DELIVERY_TIMEOUT_MS = 15_000;

/** /hooks/:triggerId: inbound webhook deliveries, signed with the trigger's secret; no account. */
@ApiTags('webhooks')
@ProblemResponses(400, 401, 404, 409, 413, 415, 503, 504)
@Controller('hooks')
export class HooksController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Post(':triggerId')
  @HttpCode(202)
  @KeepRawBody()
  @ApiOperation({ summary: "Deliver a signed event: the JSON body becomes the run's inputs" })
  @ApiParam({ name: 'triggerId', format: 'uuid' })
  @ApiHeader({ name: WEBHOOK_HEADERS.timestamp, description: 'Unix seconds; more than 5 minutes from now is refused' })
  @ApiHeader({ name: WEBHOOK_HEADERS.signature, description: 'v1=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>' })
  @ApiHeader({ name: WEBHOOK_HEADERS.id, description: 'A unique id per delivery; a second delivery with it is refused (409)' })
  @ApiAcceptedResponse({ type: WebhookDeliveryReply })
  deliver(
    @Param('triggerId') triggerId: string,
    @Headers(WEBHOOK_HEADERS.timestamp) timestamp: string | undefined,
    @Headers(WEBHOOK_HEADERS.signature) signature: string | undefined,
    @Headers(WEBHOOK_HEADERS.id) deliveryId: string | undefined,
    @RawBody() body: Buffer,
    @CurrentActor() actor: Actor,
  ): Promise<WebhookDeliveryReply> {
    return this.bus.request(WebhookContracts.deliver, { triggerId, timestamp, signature, deliveryId, body: body.toString('utf8') }, { actor, timeoutMs: DELIVERY_TIMEOUT_MS });
  }
}
