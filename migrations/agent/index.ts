import { CreateAgentSchema1763900000100 } from './1763900000100-CreateAgentSchema.js';
import { CreateAgents1764000000100 } from './1764000000100-CreateAgents.js';
import { CreateKnowledge1766000000100 } from './1766000000100-CreateKnowledge.js';
import { BuiltInTemplatesWithRealTools1766500000100 } from './1766500000100-BuiltInTemplatesWithRealTools.js';
import { RowLevelSecurity1767900000100 } from './1767900000100-RowLevelSecurity.js';
import { DocumentsRowLevelSecurity1767950000100 } from './1767950000100-DocumentsRowLevelSecurity.js';
import { VersionsTemplatesEmbeddingsRowLevelSecurity1768200000100 } from './1768200000100-VersionsTemplatesEmbeddingsRowLevelSecurity.js';

export const agentMigrations = [CreateAgentSchema1763900000100, CreateAgents1764000000100, CreateKnowledge1766000000100, BuiltInTemplatesWithRealTools1766500000100, RowLevelSecurity1767900000100, DocumentsRowLevelSecurity1767950000100, VersionsTemplatesEmbeddingsRowLevelSecurity1768200000100];
