import { Controller } from '@nestjs/common';
import { AccessContracts, type Actor, type AuditPage, ListAuditLogRequest } from '#contracts';
import { Rpc } from '#messaging';
import { AuditService } from './audit.service.js';

@Controller()
export class AuditHandler {
  constructor(private readonly audit: AuditService) {}

  @Rpc(AccessContracts.listAuditLog)
  list(request: ListAuditLogRequest, actor: Actor): Promise<AuditPage> {
    return this.audit.list(request, actor);
  }
}
