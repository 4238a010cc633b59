import { Injectable } from '@nestjs/common';
import type { UsageGroup } from '#contracts';
import { Database } from '#persistence';
import { UsageDailyEntity } from './usage-daily.entity.js';

/** One run's completed model calls to one model. */
export interface ModelUsage {
  /** '' when the step named none. */
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

export interface UsageTotals {
  key: string;
  requests: number;
  runs: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

/** Fixed SQL per grouping: the group never reaches the statement as text. */
const GROUP_KEYS: Record<UsageGroup, string> = {
  day: `to_char("day", 'YYYY-MM-DD')`,
  agent: `"agent_id"::text`,
  model: `"model"`,
};

@Injectable()
export class UsageRepository {
  constructor(private readonly database: Database) {}

  /** Plain SQL: sums per group (the Repository API has no GROUP BY). The owner's totals over [from, to] (UTC days, inclusive), ordered by key. */
  async report(ownerId: string, from: string, to: string, groupBy: UsageGroup): Promise<UsageTotals[]> {
    const rows = await this.database.query<{ key: string; requests: string; runs: string; prompt_tokens: string; completion_tokens: string; cost_micros: string }>(
      `SELECT ${GROUP_KEYS[groupBy]} AS "key", SUM("request_count") AS "requests", SUM("run_count") AS "runs",
              SUM("prompt_tokens") AS "prompt_tokens", SUM("completion_tokens") AS "completion_tokens", SUM("cost_micros") AS "cost_micros"
       FROM "execution"."usage_daily"
       WHERE "owner_id" = $1 AND "day" BETWEEN $2::date AND $3::date
       GROUP BY 1 ORDER BY ${GROUP_KEYS[groupBy]} COLLATE "C"`,
      [ownerId, from, to],
    );
    return rows.map((r) => ({
      key: r.key,
      requests: Number(r.requests),
      runs: Number(r.runs),
      promptTokens: Number(r.prompt_tokens),
      completionTokens: Number(r.completion_tokens),
      costMicros: Number(r.cost_micros),
    }));
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.database.repository(UsageDailyEntity).delete({ ownerId });
  }
}
