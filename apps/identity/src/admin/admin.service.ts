import { Injectable } from '@nestjs/common';
import type { Actor, AdminUpdateUserCommand, AdminUserPage, AdminUserView, ListUsersRequest, PutSystemSettingCommand, SystemSettingView } from '#contracts';
import { UserPasswordsRepository } from '../auth/user-passwords.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { AdminErrors, requireSuperuser } from './admin.errors.js';
import { AdminRepository, type AdminUserRow } from './admin.repository.js';
import type { SystemSettingEntity } from './system-setting.entity.js';

const DEFAULT_PAGE = 50;

function toAdminUserView(row: AdminUserRow): AdminUserView {
  return { id: row.id, email: row.email, name: row.name, isActive: row.isActive, isSuperuser: row.isSuperuser, externalProvider: row.externalProvider, createdAt: row.createdAt.toISOString() };
}

function toSystemSettingView(setting: SystemSettingEntity): SystemSettingView {
  return { key: setting.key, value: setting.value, updatedBy: setting.updatedBy, updatedAt: setting.updatedAt.toISOString() };
}

@Injectable()
export class AdminService {
  constructor(
    private readonly admin: AdminRepository,
    private readonly audit: AuditService,
    private readonly sessions: UserPasswordsRepository,
  ) {}

  async listUsers(request: ListUsersRequest, actor: Actor): Promise<AdminUserPage> {
    requireSuperuser(actor);
    const limit = request.limit ?? DEFAULT_PAGE;
    const rows = await this.admin.listUsers({ q: request.q?.trim() || undefined, after: request.cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: page.map(toAdminUserView), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  async updateUser(command: AdminUpdateUserCommand, actor: Actor): Promise<AdminUserView> {
    const adminId = requireSuperuser(actor);
    if (command.id === adminId && (command.isActive === false || command.isSuperuser === false)) throw AdminErrors.notOnYourself();
    return this.admin.transaction(async (manager) => {
      const row = await this.admin.updateUser(manager, command.id, { isActive: command.isActive, isSuperuser: command.isSuperuser });
      if (!row) throw AdminErrors.userNotFound();
      // Access tokens and keys already stop at the next request (the gateway asks identity each
      // time); ending the sessions too means a reactivated account signs in afresh.
      if (command.isActive === false) await this.sessions.revokeSessionsExcept(manager, command.id, null);
      const changes = { ...(command.isActive !== undefined ? { isActive: command.isActive } : {}), ...(command.isSuperuser !== undefined ? { isSuperuser: command.isSuperuser } : {}) };
      await this.audit.record(actor, { action: 'admin.user.updated', targetType: 'user', targetId: command.id, metadata: { changes } }, manager);
      return toAdminUserView(row);
    });
  }

  async getSetting(key: string, actor: Actor): Promise<SystemSettingView> {
    requireSuperuser(actor);
    const setting = await this.admin.getSetting(key);
    if (!setting) throw AdminErrors.settingNotFound();
    return toSystemSettingView(setting);
  }

  async putSetting(command: PutSystemSettingCommand, actor: Actor): Promise<SystemSettingView> {
    const adminId = requireSuperuser(actor);
    return this.admin.transaction(async (manager) => {
      const setting = await this.admin.putSetting(manager, command.key, command.value, adminId);
      await this.audit.record(actor, { action: 'admin.system_setting.put', targetType: 'system_setting', targetId: command.key }, manager);
      return toSystemSettingView(setting);
    });
  }
}
