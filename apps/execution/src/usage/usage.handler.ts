import { Controller } from '@nestjs/common';
import { type Actor, UsageContracts, UsageQuery, type UsageReport } from '#contracts';
import { Rpc } from '#messaging';
import { UsageService } from './usage.service.js';

@Controller()
export class UsageHandler {
  constructor(private readonly usage: UsageService) {}

  @Rpc(UsageContracts.get)
  get(request: UsageQuery, actor: Actor): Promise<UsageReport> {
    return this.usage.report(actor, request);
  }
}
