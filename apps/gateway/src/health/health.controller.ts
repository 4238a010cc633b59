import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { healthContract, SERVICE_NAMES, serviceActor, type HealthReply } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyReply } from 'fastify';

const CHECK_TIMEOUT_MS = 2000;

type Check = { status: 'ok' } | { status: 'down'; reason: string };

@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get('live')
  @ApiOkResponse({ description: 'The gateway process is up' })
  @ApiOperation({ summary: 'Liveness: the gateway process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready while this gateway's NATS connection is up: that is all a gateway needs to serve. A
   * service or PostgreSQL being down degrades the answer (200, status "degraded", the body says
   * what) instead of failing it, so one sick service never takes every gateway out of the load
   * balancer; its requests get a 503/504 problem of their own meanwhile.
   */
  @Get('ready')
  @ApiOkResponse({ description: 'NATS connected; status "ok" when every service and PostgreSQL answer, "degraded" (with what is down) otherwise' })
  @ApiServiceUnavailableResponse({ description: 'This gateway is not connected to NATS' })
  @ApiOperation({ summary: 'Readiness: NATS connected, with the state of every service and of PostgreSQL' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const bus: Check = this.bus.isConnected() ? { status: 'ok' } : { status: 'down', reason: 'not connected' };
    const services = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (name) => [name, await this.probe(name)] as const)));
    const databaseDown = Object.values(services).filter((s) => s.status === 'ok' && s.database !== 'ok').length;
    const database: Check = databaseDown === 0 ? { status: 'ok' } : { status: 'down', reason: `${databaseDown} service(s) cannot reach PostgreSQL` };
    const allUp = bus.status === 'ok' && database.status === 'ok' && Object.values(services).every((s) => s.status === 'ok' && s.database === 'ok');
    void reply.status(bus.status === 'ok' ? 200 : 503);
    return { status: allUp ? 'ok' : bus.status === 'ok' ? 'degraded' : 'unavailable', checks: { bus, database, services } };
  }

  private async probe(name: (typeof SERVICE_NAMES)[number]): Promise<(Check & { database?: string }) > {
    try {
      const health: HealthReply = await this.bus.request(healthContract(name), {}, { actor: serviceActor('gateway'), timeoutMs: CHECK_TIMEOUT_MS });
      return { status: 'ok', database: health.database };
    } catch (err) {
      return { status: 'down', reason: err instanceof Error ? err.message : 'no answer' };
    }
  }
}
