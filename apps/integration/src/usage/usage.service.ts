import { Injectable } from '@nestjs/common';
import { type Actor, type CallTargetKind, checkDayRange, requireUserId, type ToolUsageQuery, type ToolUsageReport, type ToolUsageRow } from '#contracts';
import { newId } from '#persistence';
import { ToolUsageEntity } from './tool-usage.entity.js';
import { UsageRepository } from './usage.repository.js';

export interface ToolCallRecord {
  ownerId: string;
  agentId: string | null;
  runId: string | null;
  callId: string;
  targetKind: CallTargetKind;
  targetId: string;
  toolName: string;
  durationMs: number;
  success: boolean;
  /** A short, secret-free description of the failure. */
  error: string | null;
  inputBytes: number;
  outputBytes: number;
}

/** A usage row per tool call made through the integration service, and reports over them. */
@Injectable()
export class UsageService {
  constructor(private readonly usage: UsageRepository) {}

  async record(call: ToolCallRecord): Promise<void> {
    await this.usage.insert(Object.assign(new ToolUsageEntity(), { id: newId(), ...call, error: call.error?.slice(0, 500) ?? null }));
  }

  async report(actor: Actor, query: ToolUsageQuery): Promise<ToolUsageReport> {
    const ownerId = requireUserId(actor);
    checkDayRange(query);
    const groupBy = query.groupBy ?? 'day';
    const items = await this.usage.report(ownerId, query.from, query.to, groupBy);
    const total = items.reduce<ToolUsageRow>(
      (sum, row) => ({
        key: 'total',
        calls: sum.calls + row.calls,
        failures: sum.failures + row.failures,
        durationMs: sum.durationMs + row.durationMs,
        inputBytes: sum.inputBytes + row.inputBytes,
        outputBytes: sum.outputBytes + row.outputBytes,
      }),
      { key: 'total', calls: 0, failures: 0, durationMs: 0, inputBytes: 0, outputBytes: 0 },
    );
    return { from: query.from, to: query.to, groupBy, items, total };
  }

  deleteAllOf(ownerId: string): Promise<void> {
    return this.usage.deleteByOwner(ownerId);
  }
}
