import { Controller } from '@nestjs/common';
import { type Actor, SessionContracts, SessionIdRequest, type SessionView } from '#contracts';
import { Rpc } from '#messaging';
import { SessionsService } from './sessions.service.js';

@Controller()
export class SessionsHandler {
  constructor(private readonly sessions: SessionsService) {}

  @Rpc(SessionContracts.get)
  get(request: SessionIdRequest, actor: Actor): Promise<SessionView> {
    return this.sessions.get(actor, request.id);
  }
}
