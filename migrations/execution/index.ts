import { CreateExecutionSchema1763900000500 } from './1763900000500-CreateExecutionSchema.js';

export const executionMigrations = [CreateExecutionSchema1763900000500];
