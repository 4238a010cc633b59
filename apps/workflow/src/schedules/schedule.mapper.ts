import type { ScheduleView } from '#contracts';
import type { ScheduleEntity } from './schedule.entity.js';

export function toScheduleView(schedule: ScheduleEntity, upcoming: Date[]): ScheduleView {
  return {
    id: schedule.id,
    workflowId: schedule.workflowId,
    agentId: schedule.agentId,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    missedPolicy: schedule.missedPolicy,
    inputs: schedule.inputs as Record<string, unknown> | null,
    input: schedule.input,
    paused: schedule.paused,
    startAt: schedule.startAt?.toISOString() ?? null,
    endAt: schedule.endAt?.toISOString() ?? null,
    nextFireTimes: upcoming.map((t) => t.toISOString()),
    lastFiredAt: schedule.lastFiredAt?.toISOString() ?? null,
    lastRunId: schedule.lastRunId,
    lastError: schedule.lastError,
    createdAt: schedule.createdAt.toISOString(),
    updatedAt: schedule.updatedAt.toISOString(),
  };
}
