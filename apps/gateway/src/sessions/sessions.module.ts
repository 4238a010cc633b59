import { Module } from '@nestjs/common';
import { SessionsController } from './sessions.controller.js';

/** /sessions/:id: an agent session. */
@Module({ controllers: [SessionsController] })
export class SessionsModule {}
