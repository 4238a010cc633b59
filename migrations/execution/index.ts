import { CreateExecutionSchema1763900000500 } from './1763900000500-CreateExecutionSchema.js';
import { CreateRuns1764200000500 } from './1764200000500-CreateRuns.js';

export const executionMigrations = [CreateExecutionSchema1763900000500, CreateRuns1764200000500];
