import { Injectable } from '@nestjs/common';
import { type Actor, checkDayRange, requireUserId, type UsageQuery, type UsageReport } from '#contracts';
import { toUsageRow } from './usage.mapper.js';
import { type UsageTotals, UsageRepository } from './usage.repository.js';

export type { ModelUsage } from './usage.repository.js';

/** Daily usage per owner, agent and model: added by run endings (RunEngineRepository.finish), summed by reports. */
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

  /** For account deletion, in the caller's transaction. */
  deleteAllOf(ownerId: string): Promise<void> {
    return this.repository.deleteByOwner(ownerId);
  }
}
