import { Controller, Delete, Get, HttpCode, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, ConnectionContracts, ConnectionIdRequest, ConnectionList, ListConnectionsQuery } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('integrations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 503, 504)
@Controller('connections')
export class ConnectionsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Your OAuth connections (never their tokens), newest first' })
  @ApiOkResponse({ type: ConnectionList })
  list(@Query() query: ListConnectionsQuery, @CurrentActor() actor: Actor): Promise<ConnectionList> {
    return this.bus.request(ConnectionContracts.list, query, { actor });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disconnect: the grant is revoked at the provider and the tokens are forgotten' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Disconnected' })
  @ProblemResponses(404)
  async delete(@Param() params: ConnectionIdRequest, @CurrentActor() actor: Actor): Promise<void> {
    await this.bus.request(ConnectionContracts.delete, params, { actor });
  }
}
