import { Inject, Injectable } from '@nestjs/common';
import { type Actor, AppError, ConnectionContracts, ErrorCode, requireUserId, serviceActor, ToolRefContracts, type ToolReference, unknownBuiltinTool } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { describeError, rootLogger } from '#observability';

/**
 * Where an agent's tools are checked before it is saved. Tools, MCP servers and connections belong
 * to the integration service, which is asked for the owner: a reference that is missing or another
 * user's answers 404 (as a missing agent does), a name nothing offers answers 400 naming the entry.
 */
@Injectable()
export class ToolOwnership {
  private readonly log = rootLogger().child({ component: 'tool-ownership' });

  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  async assertUsable(actor: Actor, tools: ToolReference[]): Promise<void> {
    if (tools.length === 0) return;
    if (tools.every((t) => t.kind === 'builtin')) {
      // Built-in names are known here (libs/contracts): no hop to the integration service for them.
      const errors = tools.flatMap((t, index) => {
        const unknown = unknownBuiltinTool(t.name);
        return unknown ? [{ field: `tools[${index}]`, problems: [unknown] }] : [];
      });
      if (errors.length > 0) throw new AppError(ErrorCode.VALIDATION_FAILED, 'tools is invalid', { errors });
      return;
    }
    const { problems } = await this.bus.request(ToolRefContracts.check, { ownerId: requireUserId(actor), refs: tools }, { actor: serviceActor('agent') });
    const missing = problems.find((p) => p.code === 'NOT_FOUND');
    if (missing) throw new AppError(ErrorCode.NOT_FOUND, missing.message, { field: `tools[${missing.index}]` });
    if (problems.length > 0) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'tools is invalid', { errors: problems.map((p) => ({ field: `tools[${p.index}]`, problems: [p.message] })) });
    }
  }

  /**
   * Seed 000: the consent links the agent's integration tools still need, per provider. The agent
   * is saved by then, so a failure to get them answers none rather than failing the save.
   */
  async authUrls(ownerId: string, agentId: string, tools: ToolReference[]): Promise<Record<string, string>> {
    const refs = tools.filter((t) => t.kind === 'integration');
    if (refs.length === 0) return {};
    try {
      return (await this.bus.request(ConnectionContracts.authUrls, { ownerId, agentId, refs }, { actor: serviceActor('agent') })).authUrls;
    } catch (err) {
      this.log.warn(describeError(err), 'the integration service gave no consent links; the agent is saved without them');
      return {};
    }
  }
}
