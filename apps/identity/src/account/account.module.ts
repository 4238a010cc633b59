import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { SettingsModule } from '../settings/settings.module.js';

/** Settings (encrypted provider keys), projects and notifications; the profile lives with users. */
@Module({ imports: [SettingsModule, ProjectsModule, NotificationsModule] })
export class AccountModule {}
