import { Controller } from '@nestjs/common';
import { AgentDeleted, type AgentChangedEvent } from '#contracts';
import { type EventContext, OnEvent } from '#messaging';
import { RunEndings } from '../runs/run-endings.js';
import { RunsRepository } from '../runs/runs.repository.js';

@Controller()
export class AgentDeletedHandler {
  constructor(
    private readonly runs: RunsRepository,
    private readonly endings: RunEndings,
  ) {}

  /**
   * Runs of a deleted agent that have not started (or wait for input) are cancelled: nothing
   * should start spending for an agent its owner removed. Runs already executing finish on the
   * version they pinned; the owner can cancel them.
   */
  @OnEvent(AgentDeleted)
  async onAgentDeleted(event: AgentChangedEvent, context: EventContext): Promise<void> {
    const ids = await this.runs.lockWaitingByAgent(context.manager, event.ownerId, event.agentId);
    for (const id of ids) await this.endings.end(context.manager, id, null, { status: 'cancelled', error: { code: 'AGENT_DELETED', message: 'the agent was deleted' } });
  }
}
