import { Global, Module } from '@nestjs/common';
import { loadConversationConfig } from '#config';

export const CONVERSATION_CONFIG = Symbol('CONVERSATION_CONFIG');

/**
 * The conversation service's own settings, read from the environment when the service starts: a
 * bad value makes start-up fail with a message naming the variable (main.ts checks it even earlier).
 */
@Global()
@Module({ providers: [{ provide: CONVERSATION_CONFIG, useFactory: () => loadConversationConfig() }], exports: [CONVERSATION_CONFIG] })
export class ConversationConfigModule {}
