import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FINAL_RUN_STATUSES } from '#contracts';
import type { EntityManager } from 'typeorm';
import { RunEndings } from '../runs/run-endings.js';
import type { Run } from '../runs/run.types.js';
import { UsageRepository } from './usage.repository.js';

/** Adds a finished run's model calls to the daily totals, in the run's ending transaction (so a run is counted exactly once). */
@Injectable()
export class UsageRunHook implements OnModuleInit {
  constructor(
    private readonly endings: RunEndings,
    private readonly usage: UsageRepository,
  ) {}

  onModuleInit(): void {
    this.endings.onEnded((manager, run) => this.onRunEnded(manager, run));
  }

  async onRunEnded(manager: EntityManager, run: Run): Promise<void> {
    if (!FINAL_RUN_STATUSES.includes(run.status) || !run.agentId) return;
    const perModel = await this.usage.modelCallsOf(manager, run.id);
    if (perModel.length === 0) return;
    // The run counts once, on the model it used most (the list comes most calls first).
    const main = perModel[0].model;
    // Rows in one order in every transaction: two endings of the same owner cannot deadlock.
    const ordered = [...perModel].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
    for (const usage of ordered) await this.usage.add(manager, { ownerId: run.ownerId, agentId: run.agentId }, usage, usage.model === main ? 1 : 0);
  }
}
