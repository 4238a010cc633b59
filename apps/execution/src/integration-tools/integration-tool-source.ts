import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ExecutionConfig } from '#config';
import { AppError, serviceActor, ToolCallContracts, type ToolReference } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { EXECUTION_CONFIG } from '../execution-config.module.js';
import { type AgentToolSet, type ToolRef, type ToolRefKind, type ToolRequest, type ToolSource, ToolsService } from '../tools/tools.service.js';
import { IntegrationTool } from './integration-tool.js';

const EXECUTION = serviceActor('execution');

/**
 * The tools of an agent's mcp, registry and integration references, from the integration service.
 * When that service cannot be reached, the references are reported unavailable (a run.warning) and
 * the run goes on with its other tools.
 */
@Injectable()
export class IntegrationToolSource implements ToolSource, OnModuleInit {
  readonly kinds: readonly ToolRefKind[] = ['mcp', 'registry', 'integration'];

  constructor(
    private readonly tools: ToolsService,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {}

  onModuleInit(): void {
    this.tools.addSource(this);
  }

  async resolve(request: ToolRequest, refs: ToolRef[]): Promise<AgentToolSet> {
    if (refs.length === 0) return { tools: [], unavailable: [] };
    try {
      const reply = await this.bus.request(
        ToolCallContracts.resolve,
        { ownerId: request.ownerId, ...(request.agentId ? { agentId: request.agentId } : {}), refs: refs as ToolReference[] },
        { actor: EXECUTION },
      );
      return {
        tools: reply.tools.map(
          (tool) => new IntegrationTool(tool, this.bus, { agentId: request.agentId, timeoutMs: this.config.toolTimeoutMs, requireApproval: refs[tool.refIndex]?.requireApproval === true }),
        ),
        unavailable: reply.unavailable,
      };
    } catch (err) {
      const reason = err instanceof AppError ? `the integration service answered: ${err.message}` : 'the integration service did not answer';
      return { tools: [], unavailable: refs.map((ref) => ({ kind: ref.kind, name: ref.name, reason })) };
    }
  }
}
