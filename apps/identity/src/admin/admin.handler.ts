import { Controller } from '@nestjs/common';
import {
  AccessContracts,
  type Actor,
  AdminUpdateUserCommand,
  type AdminUserPage,
  type AdminUserView,
  type AuditPage,
  ListAuditLogRequest,
  ListUsersRequest,
  PutSystemSettingCommand,
  SystemSettingKeyRequest,
  type SystemSettingView,
} from '#contracts';
import { Rpc } from '#messaging';
import { AdminService } from './admin.service.js';

@Controller()
export class AdminHandler {
  constructor(private readonly admin: AdminService) {}

  @Rpc(AccessContracts.listUsers)
  listUsers(request: ListUsersRequest, actor: Actor): Promise<AdminUserPage> {
    return this.admin.listUsers(request, actor);
  }

  @Rpc(AccessContracts.updateUser)
  updateUser(command: AdminUpdateUserCommand, actor: Actor): Promise<AdminUserView> {
    return this.admin.updateUser(command, actor);
  }

  @Rpc(AccessContracts.getSystemSetting)
  getSetting(request: SystemSettingKeyRequest, actor: Actor): Promise<SystemSettingView> {
    return this.admin.getSetting(request.key, actor);
  }

  @Rpc(AccessContracts.putSystemSetting)
  putSetting(command: PutSystemSettingCommand, actor: Actor): Promise<SystemSettingView> {
    return this.admin.putSetting(command, actor);
  }

  @Rpc(AccessContracts.listAuditLog)
  listAuditLog(request: ListAuditLogRequest, actor: Actor): Promise<AuditPage> {
    return this.admin.listAuditLog(request, actor);
  }
}
