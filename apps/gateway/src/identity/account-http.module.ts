import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications/notifications.controller.js';
import { ProjectsController } from './projects/projects.controller.js';
import { SettingsController } from './settings/settings.controller.js';
import { MeController } from './users/me.controller.js';

/** HTTP routes of the signed-in user's own things: profile, settings, projects, notifications. */
@Module({ controllers: [MeController, SettingsController, ProjectsController, NotificationsController] })
export class AccountHttpModule {}
