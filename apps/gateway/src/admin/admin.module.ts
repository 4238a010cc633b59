import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.js';

/** /admin: users, system settings and the audit log, for superusers. */
@Module({ controllers: [AdminController] })
export class AdminModule {}
