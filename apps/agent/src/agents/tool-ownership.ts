import { Inject, Injectable } from '@nestjs/common';
import { type Actor, AppError, ErrorCode, requireUserId, serviceActor, ToolRefContracts, type ToolReference } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';

/**
 * Where an agent's tools are checked before it is saved. Tools, MCP servers and connections belong
 * to the integration service, which is asked for the owner: a reference that is missing or another
 * user's answers 404 (as a missing agent does), a name nothing offers answers 400 naming the entry.
 */
@Injectable()
export class ToolOwnership {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  async assertUsable(actor: Actor, tools: ToolReference[]): Promise<void> {
    if (tools.length === 0) return;
    const { problems } = await this.bus.request(ToolRefContracts.check, { ownerId: requireUserId(actor), refs: tools }, { actor: serviceActor('agent') });
    const missing = problems.find((p) => p.code === 'NOT_FOUND');
    if (missing) throw new AppError(ErrorCode.NOT_FOUND, missing.message, { field: `tools[${missing.index}]` });
    if (problems.length > 0) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'tools is invalid', { errors: problems.map((p) => ({ field: `tools[${p.index}]`, problems: [p.message] })) });
    }
  }
}
