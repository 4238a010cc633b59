import { Injectable } from '@nestjs/common';
import type { Actor, AdminUpdateUserCommand, AdminUserPage, AdminUserView, AuditPage, ListAuditLogRequest, ListUsersRequest, PutSystemSettingCommand, SystemSettingView } from '#contracts';
import { ActingUser, Database, pageOf } from '#persistence';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { UsersService } from '../users/users.service.js';
import { AdminErrors, requireSuperuser } from './admin.errors.js';
import { toAdminUserView, toSystemSettingView } from './admin.mapper.js';
import { AdminRepository } from './admin.repository.js';

const DEFAULT_PAGE_SIZE = 50;

/** What only a superuser may do: manage accounts, system settings, read the audit log. */
@Injectable()
export class AdminService {
  constructor(
    private readonly admin: AdminRepository,
    private readonly users: UsersService,
    private readonly sessions: AuthService,
    private readonly audit: AuditService,
    private readonly database: Database,
  ) {}

  /** Oldest first; the cursor is the id of the last user of the previous page. */
  async listUsers(request: ListUsersRequest, actor: Actor): Promise<AdminUserPage> {
    requireSuperuser(actor);
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await ActingUser.system('admin: list every account', () => this.users.list({ q: request.q?.trim() || undefined, after: request.cursor, limit: limit + 1 }));
    return pageOf(rows, limit, toAdminUserView, (user) => user.id);
  }

  async updateUser(command: AdminUpdateUserCommand, actor: Actor): Promise<AdminUserView> {
    const adminId = requireSuperuser(actor);
    if (command.id === adminId && (command.isActive === false || command.isSuperuser === false)) throw AdminErrors.notOnYourself();
    // As the account changed: its row and its sessions, nobody else's.
    return ActingUser.run(command.id, () => this.database.transaction(async () => {
      const user = await this.users.setFlags(command.id, { isActive: command.isActive, isSuperuser: command.isSuperuser });
      if (!user) throw AdminErrors.userNotFound();
      // Access tokens and keys already stop at the next request (the gateway asks identity each
      // time); ending the sessions too means a reactivated account signs in afresh.
      if (command.isActive === false) await this.sessions.endSessions(command.id, null);
      const changes = { ...(command.isActive !== undefined ? { isActive: command.isActive } : {}), ...(command.isSuperuser !== undefined ? { isSuperuser: command.isSuperuser } : {}) };
      await this.audit.record(actor, { action: 'admin.user.updated', targetType: 'user', targetId: command.id, metadata: { changes } });
      return toAdminUserView(user);
    }));
  }

  async getSetting(key: string, actor: Actor): Promise<SystemSettingView> {
    requireSuperuser(actor);
    const setting = await this.admin.getSetting(key);
    if (!setting) throw AdminErrors.settingNotFound();
    return toSystemSettingView(setting);
  }

  async putSetting(command: PutSystemSettingCommand, actor: Actor): Promise<SystemSettingView> {
    const adminId = requireSuperuser(actor);
    return this.database.transaction(async () => {
      const setting = await this.admin.putSetting(command.key, command.value, adminId);
      await this.audit.record(actor, { action: 'admin.system_setting.put', targetType: 'system_setting', targetId: command.key });
      return toSystemSettingView(setting);
    });
  }

  async listAuditLog(request: ListAuditLogRequest, actor: Actor): Promise<AuditPage> {
    requireSuperuser(actor);
    return this.audit.list(request);
  }
}
