import { Injectable } from '@nestjs/common';
import { type Actor, AppError, FINAL_RUN_STATUSES, requireUserId, type RunErrorInfo, type RunStatus, type SessionStatus, type SessionView } from '#contracts';
import { isUniqueViolation, newId } from '#persistence';
import type { SessionErrorLog } from './session.entity.js';
import { toSessionView } from './session.mapper.js';
import { SessionsRepository } from './sessions.repository.js';

/** What a run's ending tells its session. */
export interface SessionRunEnded {
  sessionId: string;
  runId: string;
  status: RunStatus;
  conversationId: string | null;
  error: RunErrorInfo | null;
  /** Tool name -> completed calls of the run (asked for only when the run is final). */
  toolCalls: Record<string, number>;
}

const SESSION_STATUS: Partial<Record<RunStatus, SessionStatus>> = {
  requires_action: 'paused',
  completed: 'completed',
  cancelled: 'completed',
  failed: 'failed',
  expired: 'failed',
};

/** Sessions follow their runs: one per agent and conversation across its runs, or a standalone run's own. */
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

  /** A run of the session was queued: it is running again, with the request's variables over the earlier ones. */
  runQueued(id: string, variables: Record<string, string>): Promise<void> {
    return this.repository.markStarted(id, variables);
  }

  /** A standalone run's own session, written with its run (the id is chosen before the run's insert). */
  startStandalone(session: { id: string; ownerId: string; agentId: string; variables: Record<string, string> }): Promise<void> {
    return this.repository.insert({ ...session, status: 'running' });
  }

  /** Keeps the session in step with its run, in the run's ending transaction. */
  async runEnded(ended: SessionRunEnded): Promise<void> {
    const status = SESSION_STATUS[ended.status];
    if (!status) return;
    const final = FINAL_RUN_STATUSES.includes(ended.status);
    const error: SessionErrorLog | null =
      (ended.status === 'failed' || ended.status === 'expired') && ended.error
        ? { runId: ended.runId, code: ended.error.code, message: ended.error.message, at: new Date().toISOString() }
        : null;
    await this.repository.applyRunEnded(ended.sessionId, {
      status,
      final,
      // The user's message and the assistant's answer; a run that did not complete wrote no answer.
      messagesAdded: ended.status === 'completed' && ended.conversationId ? 2 : 0,
      // Counted once, at the end: a run parked in requires_action is counted when it finishes.
      toolCalls: final ? ended.toolCalls : {},
      error,
    });
  }

  /** For account deletion, in the caller's transaction. */
  deleteAllOf(ownerId: string): Promise<void> {
    return this.repository.deleteByOwner(ownerId);
  }
}
