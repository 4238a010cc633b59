import { type RunLimits, RunFailure } from '../run-engine/run-engine.service.js';

/** What a run has spent so far, over its completed model calls. */
export interface Spent {
  modelCalls: number;
  tokens: number;
  costMicros: number;
}

/**
 * Checked before each new model call: a run that would go past a bound fails with LIMIT_EXCEEDED
 * naming the limit. The wall clock is the worker's (it aborts the run at its deadline).
 */
export function checkLimits(limits: RunLimits, spent: Spent): void {
  if (limits.maxSteps !== undefined && spent.modelCalls >= limits.maxSteps) {
    throw new RunFailure('LIMIT_EXCEEDED', `the run reached its limit of ${limits.maxSteps} model calls without an answer`, { limit: 'maxSteps' });
  }
  if (limits.maxTokens !== undefined && spent.tokens >= limits.maxTokens) {
    throw new RunFailure('LIMIT_EXCEEDED', `the run used ${spent.tokens} tokens, reaching its limit of ${limits.maxTokens}`, { limit: 'maxTokens' });
  }
  if (limits.budgetMicros !== undefined && spent.costMicros >= limits.budgetMicros) {
    throw new RunFailure('LIMIT_EXCEEDED', `the run cost ${spent.costMicros} micro-dollars, reaching its budget of ${limits.budgetMicros}`, { limit: 'budget' });
  }
}
