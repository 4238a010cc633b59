import { Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags, ApiOperation } from '@nestjs/swagger';
import { AccountContracts, type Actor, ListNotificationsRequest, MarkedRead, NotificationIdRequest, NotificationPage, NotificationView } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('notifications')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(401, 503, 504)
@Controller('notifications')
export class NotificationsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get()
  @ApiOkResponse({ type: NotificationPage, description: 'Newest first' })
  @ProblemResponses(400)
  @ApiOperation({ summary: 'List your notifications' })
  list(@Query() query: ListNotificationsRequest, @CurrentActor() actor: Actor): Promise<NotificationPage> {
    return this.bus.request(AccountContracts.listNotifications, query, { actor });
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOkResponse({ type: MarkedRead })
  @ApiOperation({ summary: 'Mark all your notifications read' })
  markAllRead(@CurrentActor() actor: Actor): Promise<MarkedRead> {
    return this.bus.request(AccountContracts.markAllNotificationsRead, {}, { actor });
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiParam({ name: 'id', type: String })
  @ApiOkResponse({ type: NotificationView })
  @ProblemResponses(400, 404)
  @ApiOperation({ summary: 'Mark a notification read' })
  markRead(@Param() params: NotificationIdRequest, @CurrentActor() actor: Actor): Promise<NotificationView> {
    return this.bus.request(AccountContracts.markNotificationRead, params, { actor });
  }
}
