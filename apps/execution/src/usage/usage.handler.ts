import { Controller } from '@nestjs/common';
import { type Actor, AppError, ErrorCode, requireUserId, UsageContracts, UsageQuery, type UsageReport, type UsageRow } from '#contracts';
import { Rpc } from '#messaging';
import { type UsageTotals, UsageRepository } from './usage.repository.js';

/** The widest report: a year, leap day included. */
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

function invalidField(field: string, problem: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, `${field} is invalid`, { errors: [{ field, problems: [problem] }] });
}

/** The UTC midnight of a YYYY-MM-DD that names a real day (2026-02-30 does not). */
function parseDay(field: string, value: string): number {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw invalidField(field, `${field} must be a real date: YYYY-MM-DD`);
  return ms;
}

function toRow(t: UsageTotals): UsageRow {
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

@Controller()
export class UsageHandler {
  constructor(private readonly usage: UsageRepository) {}

  @Rpc(UsageContracts.get)
  async get(request: UsageQuery, actor: Actor): Promise<UsageReport> {
    const ownerId = requireUserId(actor);
    const from = parseDay('from', request.from);
    const to = parseDay('to', request.to);
    if (to < from) throw invalidField('to', 'to must not be before from');
    if ((to - from) / DAY_MS > MAX_RANGE_DAYS) throw invalidField('to', `to must be at most ${MAX_RANGE_DAYS} days after from`);
    const groupBy = request.groupBy ?? 'day';
    const groups = await this.usage.report(ownerId, request.from, request.to, groupBy);
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
    return { from: request.from, to: request.to, groupBy, items: groups.map(toRow), total: toRow(total) };
  }
}
