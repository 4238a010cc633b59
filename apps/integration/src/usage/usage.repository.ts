import { Injectable } from '@nestjs/common';
import type { ToolUsageGroup, ToolUsageRow } from '#contracts';
import { Database } from '#persistence';
import { ToolUsageEntity } from './tool-usage.entity.js';

const GROUP_KEYS: Record<ToolUsageGroup, string> = {
  day: `to_char(("created_at" AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')`,
  tool: `"tool_name"`,
  server: `"target_kind" || ':' || "target_id"`,
  agent: `COALESCE("agent_id"::text, 'none')`,
};

@Injectable()
export class UsageRepository {
  constructor(private readonly database: Database) {}

  async insert(row: ToolUsageEntity): Promise<void> {
    await this.database.repository(ToolUsageEntity).insert(row);
  }

  /** Plain SQL: sums per group (the repository API has no GROUP BY), over [from, to] in UTC days, ordered by key. */
  async report(ownerId: string, from: string, to: string, groupBy: ToolUsageGroup): Promise<ToolUsageRow[]> {
    const rows = await this.database.query<Record<string, string>>(
      `SELECT ${GROUP_KEYS[groupBy]} AS "key", count(*) AS "calls", count(*) FILTER (WHERE NOT "success") AS "failures",
              SUM("duration_ms") AS "duration_ms", SUM("input_bytes") AS "input_bytes", SUM("output_bytes") AS "output_bytes"
       FROM "integration"."tool_usage"
       WHERE "owner_id" = $1 AND "created_at" >= $2::date AND "created_at" < $3::date + 1
       GROUP BY 1 ORDER BY 1`,
      [ownerId, from, to],
    );
    return rows.map((r) => ({
      key: r.key,
      calls: Number(r.calls),
      failures: Number(r.failures),
      durationMs: Number(r.duration_ms),
      inputBytes: Number(r.input_bytes),
      outputBytes: Number(r.output_bytes),
    }));
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.database.repository(ToolUsageEntity).delete({ ownerId });
  }
}
