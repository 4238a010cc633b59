import { Injectable } from '@nestjs/common';
import type { RunKind } from '#contracts';
import type { RunExecutor } from './run-executor.js';

/**
 * Which executor runs which kind of run. A worker claims only kinds it has an executor for, so a
 * replica without one (or before one is registered) leaves those runs to others.
 */
@Injectable()
export class ExecutorRegistry {
  private readonly executors = new Map<RunKind, RunExecutor>();

  register(kind: RunKind, executor: RunExecutor): void {
    this.executors.set(kind, executor);
  }

  get(kind: RunKind): RunExecutor | undefined {
    return this.executors.get(kind);
  }

  kinds(): RunKind[] {
    return [...this.executors.keys()];
  }
}
