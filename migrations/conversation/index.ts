import { CreateConversationSchema1763900000300 } from './1763900000300-CreateConversationSchema.js';

export const conversationMigrations = [CreateConversationSchema1763900000300];
