import { CreateExecutionSchema1763900000500 } from './1763900000500-CreateExecutionSchema.js';
import { CreateRuns1764200000500 } from './1764200000500-CreateRuns.js';
import { CreateSessionsAndUsage1764400000500 } from './1764400000500-CreateSessionsAndUsage.js';
import { AddRunAgentSnapshot1764500000500 } from './1764500000500-AddRunAgentSnapshot.js';
import { AddRunWorkflowSnapshot1766000000500 } from './1766000000500-AddRunWorkflowSnapshot.js';
import { CreateRunWebhooks1766000000501 } from './1766000000501-CreateRunWebhooks.js';
import { AddRunTraceParent1767600000100 } from './1767600000100-AddRunTraceParent.js';
import { RowLevelSecurity1767900000500 } from './1767900000500-RowLevelSecurity.js';
import { RunDataRowLevelSecurity1768100000500 } from './1768100000500-RunDataRowLevelSecurity.js';
import { RunStartTurn1768300000500 } from './1768300000500-RunStartTurn.js';

export const executionMigrations = [CreateExecutionSchema1763900000500, CreateRuns1764200000500, CreateSessionsAndUsage1764400000500, AddRunAgentSnapshot1764500000500, AddRunWorkflowSnapshot1766000000500, CreateRunWebhooks1766000000501, AddRunTraceParent1767600000100, RowLevelSecurity1767900000500, RunDataRowLevelSecurity1768100000500, RunStartTurn1768300000500];
