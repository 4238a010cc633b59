import { CreateConversationSchema1763900000300 } from './1763900000300-CreateConversationSchema.js';
import { CreateConversations1764100000300 } from './1764100000300-CreateConversations.js';
import { TypeormMetadata1765400000300 } from './1765400000300-TypeormMetadata.js';
import { AttachmentsInDatabase1766000001300 } from './1766000001300-AttachmentsInDatabase.js';
import { SessionIdUniquePerUser1767100000300 } from './1767100000300-SessionIdUniquePerUser.js';
import { RowLevelSecurity1767900000300 } from './1767900000300-RowLevelSecurity.js';
import { AttachmentsRowLevelSecurity1767950000300 } from './1767950000300-AttachmentsRowLevelSecurity.js';
import { ChildrenRowLevelSecurity1768200000300 } from './1768200000300-ChildrenRowLevelSecurity.js';

export const conversationMigrations = [CreateConversationSchema1763900000300, CreateConversations1764100000300, TypeormMetadata1765400000300, AttachmentsInDatabase1766000001300, SessionIdUniquePerUser1767100000300, RowLevelSecurity1767900000300, AttachmentsRowLevelSecurity1767950000300, ChildrenRowLevelSecurity1768200000300];
