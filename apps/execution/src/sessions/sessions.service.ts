import { Injectable } from '@nestjs/common';
import { type Actor, AppError, requireUserId, type SessionView } from '#contracts';
import { isUniqueViolation, newId } from '#persistence';
import { toSessionView } from './session.mapper.js';
import { SessionsRepository } from './sessions.repository.js';

export type { SessionErrorLog } from './session.entity.js';
export { MAX_SESSION_ERROR_LOGS } from './sessions.repository.js';

/**
 * Sessions follow their runs: one per agent and conversation across its runs, or a standalone run's
 * own. A run's start and its ending write its session in their own statements (RunEngineRepository
 * insert and finish).
 */
@Injectable()
export class SessionsService {
  constructor(private readonly repository: SessionsRepository) {}

  async get(actor: Actor, id: string): Promise<SessionView> {
    const session = await this.repository.find(id, requireUserId(actor));
    // Another user's session answers like a missing one: no existence leak.
    if (!session) throw AppError.notFound('session');
    return toSessionView(session);
  }

  /**
   * The one session of an agent's conversation, made on its first run. Two first runs racing both
   * try the insert; the unique index lets one win and the other reads the winner's row. Outside
   * any transaction: a refused insert must not end the caller's.
   */
  async ofConversation(ownerId: string, agentId: string, conversationId: string): Promise<{ id: string }> {
    const found = await this.repository.findOfConversation(agentId, conversationId);
    if (found) return found;
    const id = newId();
    try {
      await this.repository.insert({ id, ownerId, agentId, conversationId });
      return { id };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const winner = await this.repository.findOfConversation(agentId, conversationId);
    if (!winner) throw new Error('session neither inserted nor found');
    return winner;
  }

  /** For account deletion, in the caller's transaction. */
  deleteAllOf(ownerId: string): Promise<void> {
    return this.repository.deleteByOwner(ownerId);
  }
}
