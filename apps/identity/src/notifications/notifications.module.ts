import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { NotificationRequestedHandler } from './notification-requested.handler.js';
import { NotificationsHandler } from './notifications.handler.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';

@Module({
  imports: [UsersModule],
  controllers: [NotificationsHandler, NotificationRequestedHandler],
  providers: [NotificationsService, NotificationsRepository],
  exports: [NotificationsService],
})
export class NotificationsModule {}
