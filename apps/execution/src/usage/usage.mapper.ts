import type { UsageRow } from '#contracts';
import type { UsageTotals } from './usage.repository.js';

export function toUsageRow(t: UsageTotals): UsageRow {
  return {
    key: t.key,
    requests: t.requests,
    runs: t.runs,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    totalTokens: t.promptTokens + t.completionTokens,
    costMicros: t.costMicros,
  };
}
