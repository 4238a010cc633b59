import { Injectable } from '@nestjs/common';
import { type Actor, checkDayRange, FINAL_RUN_STATUSES, requireUserId, type RunStatus, type UsageQuery, type UsageReport } from '#contracts';
import { toUsageRow } from './usage.mapper.js';
import { type ModelUsage, type UsageTotals, UsageRepository } from './usage.repository.js';

export type { ModelUsage } from './usage.repository.js';

/** What a run's ending tells the daily totals. */
export interface UsageRunEnded {
  ownerId: string;
  agentId: string;
  status: RunStatus;
  /** The run's completed model calls per model, most calls first (ties by name). */
  models: readonly ModelUsage[];
}

/** Daily usage per owner, agent and model: added by run endings, summed by reports. */
@Injectable()
export class UsageService {
  constructor(private readonly repository: UsageRepository) {}

  async report(actor: Actor, request: UsageQuery): Promise<UsageReport> {
    const ownerId = requireUserId(actor);
    checkDayRange(request);
    const groupBy = request.groupBy ?? 'day';
    const groups = await this.repository.report(ownerId, request.from, request.to, groupBy);
    const total = groups.reduce<UsageTotals>(
      (sum, g) => ({
        key: 'total',
        requests: sum.requests + g.requests,
        runs: sum.runs + g.runs,
        promptTokens: sum.promptTokens + g.promptTokens,
        completionTokens: sum.completionTokens + g.completionTokens,
        costMicros: sum.costMicros + g.costMicros,
      }),
      { key: 'total', requests: 0, runs: 0, promptTokens: 0, completionTokens: 0, costMicros: 0 },
    );
    return { from: request.from, to: request.to, groupBy, items: groups.map(toUsageRow), total: toUsageRow(total) };
  }

  /** Adds a finished run's model calls to today's totals, in the run's ending transaction (so a run is counted exactly once). */
  async runEnded(ended: UsageRunEnded): Promise<void> {
    if (!FINAL_RUN_STATUSES.includes(ended.status) || ended.models.length === 0) return;
    // The run counts once, on the model it used most (the list comes most calls first).
    const main = ended.models[0].model;
    // Rows in one order in every transaction: two endings of the same owner cannot deadlock.
    const ordered = [...ended.models].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
    for (const usage of ordered) await this.repository.add({ ownerId: ended.ownerId, agentId: ended.agentId }, usage, usage.model === main ? 1 : 0);
  }

  /** For account deletion, in the caller's transaction. */
  deleteAllOf(ownerId: string): Promise<void> {
    return this.repository.deleteByOwner(ownerId);
  }
}
