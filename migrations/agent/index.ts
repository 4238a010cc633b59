import { CreateAgentSchema1763900000100 } from './1763900000100-CreateAgentSchema.js';
import { CreateAgents1764000000100 } from './1764000000100-CreateAgents.js';
import { BuiltInTemplatesWithRealTools1766500000100 } from './1766500000100-BuiltInTemplatesWithRealTools.js';

export const agentMigrations = [CreateAgentSchema1763900000100, CreateAgents1764000000100, BuiltInTemplatesWithRealTools1766500000100];
