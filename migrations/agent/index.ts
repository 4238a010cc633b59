import { CreateAgentSchema1763900000100 } from './1763900000100-CreateAgentSchema.js';

export const agentMigrations = [CreateAgentSchema1763900000100];
