import { Module } from '@nestjs/common';
import { NotificationRequestedHandler } from './notification-requested.handler.js';
import { NotificationsHandler } from './notifications.handler.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';

@Module({ controllers: [NotificationsHandler, NotificationRequestedHandler], providers: [NotificationsService, NotificationsRepository] })
export class NotificationsModule {}
