import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller.js';

/** /notifications: what the platform told the user. */
@Module({ controllers: [NotificationsController] })
export class NotificationsModule {}
