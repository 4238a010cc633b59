import type { BusServiceDefinition } from '#service-kit';
import { conversationMigrations } from '../../../migrations/conversation/index.js';
import { ConversationModule } from './conversation.module.js';

export const conversationApp: BusServiceDefinition = {
  name: 'conversation',
  module: ConversationModule,
  entities: [],
  migrations: conversationMigrations,
};
