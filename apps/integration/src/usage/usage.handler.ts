import { Controller } from '@nestjs/common';
import { type Actor, ToolUsageContracts, ToolUsageQuery, type ToolUsageReport } from '#contracts';
import { Rpc } from '#messaging';
import { UsageService } from './usage.service.js';

@Controller()
export class UsageHandler {
  constructor(private readonly usage: UsageService) {}

  @Rpc(ToolUsageContracts.report)
  report(request: ToolUsageQuery, actor: Actor): Promise<ToolUsageReport> {
    return this.usage.report(actor, request);
  }
}
