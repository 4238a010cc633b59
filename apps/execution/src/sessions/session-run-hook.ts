import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FINAL_RUN_STATUSES, type SessionStatus } from '#contracts';
import type { EntityManager } from 'typeorm';
import { RunEndings } from '../runs/run-endings.js';
import type { Run } from '../runs/run.types.js';
import { type SessionErrorLog, SessionsRepository } from './sessions.repository.js';

const SESSION_STATUS: Record<string, SessionStatus> = {
  requires_action: 'paused',
  completed: 'completed',
  cancelled: 'completed',
  failed: 'failed',
  expired: 'failed',
};

/** Keeps a run's session in step with it, inside the run's ending transaction. */
@Injectable()
export class SessionRunHook implements OnModuleInit {
  constructor(
    private readonly endings: RunEndings,
    private readonly sessions: SessionsRepository,
  ) {}

  onModuleInit(): void {
    this.endings.onEnded((manager, run) => this.onRunEnded(manager, run));
  }

  async onRunEnded(manager: EntityManager, run: Run): Promise<void> {
    const status = SESSION_STATUS[run.status];
    if (!run.sessionId || !status) return;
    const final = FINAL_RUN_STATUSES.includes(run.status);
    const error: SessionErrorLog | null =
      (run.status === 'failed' || run.status === 'expired') && run.error
        ? { runId: run.id, code: run.error.code, message: run.error.message, at: new Date().toISOString() }
        : null;
    await this.sessions.applyRunEnded(manager, run.sessionId, {
      status,
      final,
      // The user's message and the assistant's answer; a run that did not complete wrote no answer.
      messagesAdded: run.status === 'completed' && run.conversationId ? 2 : 0,
      // Counted once, at the end: a run parked in requires_action is counted when it finishes.
      toolCalls: final ? await this.sessions.toolCallsOf(manager, run.id) : {},
      error,
    });
  }
}
