import type { AdminUserView, SystemSettingView } from '#contracts';
import type { UserEntity } from '../users/users.service.js';
import type { SystemSettingEntity } from './system-setting.entity.js';

/** A user as the admin pages show it: the account's flags and how it signs in, never a password hash. */
export function toAdminUserView(user: UserEntity): AdminUserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isActive: user.isActive,
    isSuperuser: user.isSuperuser,
    externalProvider: user.externalProvider,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toSystemSettingView(setting: SystemSettingEntity): SystemSettingView {
  return { key: setting.key, value: setting.value, updatedBy: setting.updatedBy, updatedAt: setting.updatedAt.toISOString() };
}
