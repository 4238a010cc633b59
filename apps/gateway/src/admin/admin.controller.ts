import { Body, Controller, Get, Inject, Param, Patch, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags, ApiOperation } from '@nestjs/swagger';
import {
  AccessContracts,
  type Actor,
  AdminUpdateUserRequest,
  AdminUserPage,
  AdminUserView,
  AuditPage,
  IdRequest,
  ListAuditLogRequest,
  ListUsersRequest,
  PutSystemSettingRequest,
  SystemSettingKeyRequest,
  SystemSettingView,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';
import { SuperuserGuard } from '../http/superuser.guard.js';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AuthGuard, SuperuserGuard)
@ProblemResponses(400, 401, 403, 429, 503, 504)
@Controller('admin')
export class AdminController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get('users')
  @ApiOkResponse({ type: AdminUserPage })
  @ApiOperation({ summary: 'List users (superusers only)' })
  listUsers(@Query() query: ListUsersRequest, @CurrentActor() actor: Actor): Promise<AdminUserPage> {
    return this.bus.request(AccessContracts.listUsers, query, { actor });
  }

  @Patch('users/:id')
  @ApiParam({ name: 'id', type: String })
  @ApiOkResponse({ type: AdminUserView, description: 'Deactivation takes effect on the user\'s next request' })
  @ProblemResponses(404, 409)
  @ApiOperation({ summary: "Change a user's account (superusers only)" })
  updateUser(@Param() params: IdRequest, @Body() body: AdminUpdateUserRequest, @CurrentActor() actor: Actor): Promise<AdminUserView> {
    return this.bus.request(AccessContracts.updateUser, { ...body, id: params.id }, { actor });
  }

  @Get('system-settings/:key')
  @ApiParam({ name: 'key', type: String })
  @ApiOkResponse({ type: SystemSettingView })
  @ProblemResponses(404)
  @ApiOperation({ summary: 'Read a system setting (superusers only)' })
  getSetting(@Param() params: SystemSettingKeyRequest, @CurrentActor() actor: Actor): Promise<SystemSettingView> {
    return this.bus.request(AccessContracts.getSystemSetting, params, { actor });
  }

  @Put('system-settings/:key')
  @ApiParam({ name: 'key', type: String })
  @ApiOkResponse({ type: SystemSettingView })
  @ApiOperation({ summary: 'Set a system setting (superusers only)' })
  putSetting(@Param() params: SystemSettingKeyRequest, @Body() body: PutSystemSettingRequest, @CurrentActor() actor: Actor): Promise<SystemSettingView> {
    return this.bus.request(AccessContracts.putSystemSetting, { ...body, key: params.key }, { actor });
  }

  @Get('audit-log')
  @ApiOkResponse({ type: AuditPage, description: 'Newest first' })
  @ApiOperation({ summary: 'Read the audit log (superusers only)' })
  listAuditLog(@Query() query: ListAuditLogRequest, @CurrentActor() actor: Actor): Promise<AuditPage> {
    return this.bus.request(AccessContracts.listAuditLog, query, { actor });
  }
}
