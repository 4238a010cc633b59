import type { BusServiceDefinition } from '#service-kit';
import { conversationMigrations } from '../../../migrations/conversation/index.js';
import { AttachmentContentEntity } from './attachments/attachment-content.entity.js';
import { AttachmentEntity } from './attachments/attachment.entity.js';
import { ConversationModule } from './conversation.module.js';
import { ConversationEntity } from './conversations/conversation.entity.js';
import { SummaryEntity } from './memory/summary.entity.js';
import { MessageEntity } from './messages/message.entity.js';

export const conversationApp: BusServiceDefinition = {
  name: 'conversation',
  module: ConversationModule,
  entities: [ConversationEntity, MessageEntity, AttachmentEntity, AttachmentContentEntity, SummaryEntity],
  migrations: conversationMigrations,
};
