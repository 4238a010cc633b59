import { Inject, Injectable } from '@nestjs/common';
import { type Actor, AgentContracts, AppError, ErrorCode } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { ConnectionsErrors } from './connections.errors.js';

/**
 * Whether the agent an account is connected for (seed 000: an account per agent) is the caller's.
 * Agents belong to the agent service: it is asked with the caller as actor, so another user's agent
 * (or a deleted one, or none at all) is a NOT_FOUND there, and here.
 */
@Injectable()
export class AgentOwnership {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  async assertOwned(actor: Actor, agentId: string): Promise<void> {
    try {
      await this.bus.request(AgentContracts.get, { id: agentId }, { actor });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw ConnectionsErrors.agentNotFound();
      throw err;
    }
  }
}
