import { Module } from '@nestjs/common';
import { AuditLogRepository } from './audit.repository.js';
import { AuditHandler } from './audit.handler.js';
import { AuditService } from './audit.service.js';

@Module({ controllers: [AuditHandler], providers: [AuditService, AuditLogRepository], exports: [AuditService] })
export class AuditModule {}
