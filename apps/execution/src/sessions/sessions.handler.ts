import { Controller } from '@nestjs/common';
import { type Actor, AppError, requireUserId, SessionContracts, SessionIdRequest, type SessionView } from '#contracts';
import { Rpc } from '#messaging';
import { toSessionView } from './session.mapper.js';
import { SessionsRepository } from './sessions.repository.js';

@Controller()
export class SessionsHandler {
  constructor(private readonly sessions: SessionsRepository) {}

  @Rpc(SessionContracts.get)
  async get(request: SessionIdRequest, actor: Actor): Promise<SessionView> {
    const session = await this.sessions.find(request.id, requireUserId(actor));
    // Another user's session answers like a missing one: no existence leak.
    if (!session) throw AppError.notFound('session');
    return toSessionView(session);
  }
}
