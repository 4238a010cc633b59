import { Inject, Injectable } from '@nestjs/common';
import type { WorkflowConfig } from '#config';
import {
  type Actor,
  AppError,
  ConfigCacheContracts,
  type CreateScheduleRequest,
  ErrorCode,
  type ListSchedulesQuery,
  requireUserId,
  RunContracts,
  type ScheduleList,
  type ScheduleView,
  serviceActor,
  type StartRunForOwnerRequest,
  type UpdateScheduleRequest,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { ActingUser, Database, decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import { Cron } from 'croner';
import { WORKFLOW_CONFIG } from '../workflow-config.module.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { ScheduleFireEntity } from './schedule-fire.entity.js';
import { ScheduleEntity } from './schedule.entity.js';
import { toScheduleView } from './schedule.mapper.js';
import { SchedulesErrors } from './schedules.errors.js';
import { SchedulesRepository } from './schedules.repository.js';

const SELF = serviceActor('workflow');
const DEFAULT_LIMIT = 20;
/** Most schedules one tick handles, and most pending ticks it starts; the rest wait for the next tick. */
const BATCH = 100;
/** Most ticks of one schedule fired in one pass (a per-second schedule a few seconds behind). */
const MAX_FIRES_PER_PASS = 60;
/** A tick whose run could not be started (execution unreachable) is retried this many times. */
const MAX_START_ATTEMPTS = 20;
/** Errors that retrying will not cure: the tick is marked failed at once. */
const FINAL = new Set<string>([ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN]);

/**
 * Schedules of workflows and automation agents: cron with a time zone (croner), several per
 * target. Every replica ticks; a tick is claimed with FOR UPDATE SKIP LOCKED and recorded as a
 * row unique per (schedule, fire time), then its run is started through
 * execution.runs.start-for-owner with an idempotency key made of the same pair, so each tick
 * starts exactly one run however many replicas there are and however often a start is retried.
 */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly workflows: WorkflowsService,
    private readonly database: Database,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(WORKFLOW_CONFIG) private readonly config: WorkflowConfig,
  ) {}

  async create(actor: Actor, request: CreateScheduleRequest): Promise<ScheduleView> {
    const ownerId = requireUserId(actor);
    if ((request.workflowId === undefined) === (request.agentId === undefined)) throw SchedulesErrors.oneTarget();
    if (request.cron === undefined) throw SchedulesErrors.required('cron');
    refuseNulls(request);
    if (request.workflowId) await this.workflows.requireOwned(ownerId, request.workflowId);
    if (request.agentId) {
      await this.requireAutomationAgent(actor, ownerId, request.agentId);
      if (request.input === undefined) throw SchedulesErrors.required('input');
    }
    const now = new Date();
    const schedule = Object.assign(new ScheduleEntity(), {
      id: newId(),
      ownerId,
      workflowId: request.workflowId ?? null,
      agentId: request.agentId ?? null,
      cron: request.cron,
      timeZone: request.timeZone ?? 'UTC',
      missedPolicy: request.missedPolicy ?? 'skip',
      inputs: request.workflowId ? (request.inputs ?? {}) : null,
      input: request.agentId ? (request.input ?? null) : null,
      paused: request.paused ?? false,
      startAt: dateOf(request.startAt),
      endAt: dateOf(request.endAt),
      nextFireAt: null as Date | null,
      lastFiredAt: null as Date | null,
      lastRunId: null as string | null,
      lastError: null as string | null,
      createdAt: now,
      updatedAt: now,
    });
    schedule.nextFireAt = this.nextAfter(schedule, now);
    await this.schedules.insert(schedule);
    return toScheduleView(schedule, this.upcoming(schedule, now));
  }

  async list(actor: Actor, query: ListSchedulesQuery): Promise<ScheduleList> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.schedules.list({
      ownerId: requireUserId(actor),
      workflowId: query.workflowId,
      agentId: query.agentId,
      beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id,
      limit: limit + 1,
    });
    const now = new Date();
    return pageOf(rows, limit, (s) => toScheduleView(s, this.upcoming(s, now)), (s) => encodeCursor({ id: s.id }));
  }

  async get(actor: Actor, id: string): Promise<ScheduleView> {
    const schedule = await this.schedules.findOwned(requireUserId(actor), id);
    if (!schedule) throw SchedulesErrors.notFound();
    return toScheduleView(schedule, this.upcoming(schedule, new Date()));
  }

  /** Changes a schedule; a new cron, time zone or window, and resuming, count from now (ticks passed while paused never fire). */
  async update(actor: Actor, request: UpdateScheduleRequest): Promise<ScheduleView> {
    refuseNulls(request);
    return this.database.transaction(async () => {
      const schedule = await this.schedules.lockOwned(requireUserId(actor), request.id);
      if (!schedule) throw SchedulesErrors.notFound();
      if (request.inputs !== undefined && !schedule.workflowId) throw SchedulesErrors.wrongInput('inputs', 'an agent schedule takes input (text), not inputs');
      if (request.input !== undefined && !schedule.agentId) throw SchedulesErrors.wrongInput('input', 'a workflow schedule takes inputs (an object), not input');
      const timing = request.cron !== undefined || request.timeZone !== undefined || request.startAt !== undefined || request.endAt !== undefined;
      const resumed = request.paused === false && schedule.paused;
      if (request.cron !== undefined) schedule.cron = request.cron;
      if (request.timeZone !== undefined) schedule.timeZone = request.timeZone;
      if (request.missedPolicy !== undefined) schedule.missedPolicy = request.missedPolicy;
      if (request.inputs !== undefined) schedule.inputs = request.inputs;
      if (request.input !== undefined) schedule.input = request.input;
      if (request.paused !== undefined) schedule.paused = request.paused;
      if (request.startAt !== undefined) schedule.startAt = dateOf(request.startAt);
      if (request.endAt !== undefined) schedule.endAt = dateOf(request.endAt);
      const now = new Date();
      if (timing || resumed) schedule.nextFireAt = this.nextAfter(schedule, now);
      await this.schedules.save(schedule);
      return toScheduleView(schedule, this.upcoming(schedule, now));
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.database.transaction(async () => {
      const schedule = await this.schedules.lockOwned(requireUserId(actor), id);
      if (!schedule) throw SchedulesErrors.notFound();
      await this.schedules.delete(schedule.id);
    });
  }

  async deleteAllOf(ownerId: string): Promise<void> {
    await this.schedules.deleteByOwner(ownerId);
  }

  /** One pass of the scheduler: records the due ticks, then starts the runs of every tick not started yet. */
  async tick(now = new Date()): Promise<void> {
    // The ticker acts for no user: it claims every owner's due schedules (each run starts for its owner).
    await ActingUser.system('schedule ticker: claim and fire due schedules', () => this.tickAll(now));
  }

  private async tickAll(now: Date): Promise<void> {
    await this.database.transaction(async () => {
      for (const schedule of await this.schedules.claimDue(now, BATCH)) await this.fireDue(schedule, now);
    });
    await this.database.transaction(async () => {
      const pending = await this.schedules.claimPending(BATCH);
      const owners = new Map((await this.schedules.findByIds([...new Set(pending.map((f) => f.scheduleId))])).map((s) => [s.id, s]));
      for (const fire of pending) {
        const schedule = owners.get(fire.scheduleId);
        if (schedule) await this.start(schedule, fire);
      }
    });
  }

  /**
   * Records the ticks of a claimed schedule that are due, and moves next_fire_at past them. A tick
   * found later than WORKFLOW_SCHEDULE_MISSED_AFTER_MS is missed: `skip` drops every missed tick,
   * `catch_up` fires one run for all of them.
   */
  private async fireDue(schedule: ScheduleEntity, now: Date): Promise<void> {
    let due = schedule.nextFireAt;
    let caughtUp = false;
    for (let fired = 0; due && due.getTime() <= now.getTime() && fired < MAX_FIRES_PER_PASS; fired++) {
      const missed = now.getTime() - due.getTime() > this.config.scheduleMissedAfterMs;
      if (!missed || (schedule.missedPolicy === 'catch_up' && !caughtUp)) {
        await this.schedules.recordFire(Object.assign(new ScheduleFireEntity(), { id: newId(), scheduleId: schedule.id, fireAt: due, status: 'pending', attempts: 0, runId: null, error: null }));
        schedule.lastFiredAt = due;
        caughtUp ||= missed;
      }
      // After a missed tick, the next one counts from now: the rest of the gap is missed too.
      due = this.nextAfter(schedule, missed ? now : due);
    }
    schedule.nextFireAt = due;
    await this.schedules.save(schedule);
  }

  /** Starts a tick's run for the schedule's owner; the key makes a second start of the same tick return the same run. */
  private async start(schedule: ScheduleEntity, fire: ScheduleFireEntity): Promise<void> {
    const request: StartRunForOwnerRequest = {
      ownerId: schedule.ownerId,
      trigger: { kind: 'schedule', id: schedule.id },
      idempotencyKey: `schedule:${schedule.id}:${fire.fireAt.toISOString()}`,
      ...(schedule.workflowId ? { workflowId: schedule.workflowId, inputs: (schedule.inputs ?? {}) as Record<string, unknown> } : { agentId: schedule.agentId as string, input: schedule.input ?? '' }),
    };
    fire.attempts += 1;
    try {
      const run = await this.bus.request(RunContracts.startForOwner, request, { actor: SELF });
      fire.status = 'started';
      fire.runId = run.id;
      fire.error = null;
      schedule.lastRunId = run.id;
      schedule.lastError = null;
    } catch (err) {
      const code = err instanceof AppError ? err.code : ErrorCode.INTERNAL;
      fire.error = code;
      if (FINAL.has(code) || fire.attempts >= MAX_START_ATTEMPTS) fire.status = 'failed';
      schedule.lastError = code;
      // The target is gone (or no longer the owner's): the schedule stops rather than fail every tick.
      if (code === ErrorCode.NOT_FOUND) schedule.paused = true;
    }
    await this.schedules.saveFire(fire);
    await this.schedules.save(schedule);
  }

  private async requireAutomationAgent(actor: Actor, ownerId: string, agentId: string): Promise<void> {
    let resolved;
    try {
      resolved = await this.bus.request(ConfigCacheContracts.resolve, { agentId }, { actor, timeoutMs: this.config.referenceTimeoutMs });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw SchedulesErrors.agentNotFound();
      throw SchedulesErrors.agentsUnavailable();
    }
    if (resolved.ownerId !== ownerId) throw SchedulesErrors.agentNotFound();
    if (resolved.snapshot.agentType !== 'automation') throw SchedulesErrors.notAutomation();
  }

  /** The first tick strictly after `after`, within the schedule's window; null when there is none. Refuses a bad cron or time zone. */
  private nextAfter(schedule: ScheduleEntity, after: Date): Date | null {
    const from = schedule.startAt && schedule.startAt.getTime() > after.getTime() ? new Date(schedule.startAt.getTime() - 1) : after;
    const next = cronOf(schedule).nextRun(from);
    return next && (!schedule.endAt || next.getTime() < schedule.endAt.getTime()) ? next : null;
  }

  /** Up to five next ticks, for the view; none while paused. */
  private upcoming(schedule: ScheduleEntity, now: Date): Date[] {
    if (schedule.paused || !schedule.nextFireAt) return [];
    const times: Date[] = [schedule.nextFireAt];
    while (times.length < 5) {
      const next = this.nextAfter(schedule, times[times.length - 1]);
      if (!next) break;
      times.push(next);
    }
    return times.filter((t) => t.getTime() >= now.getTime() - this.config.scheduleMissedAfterMs);
  }
}

/** The schedule's cron in its time zone; a bad pattern or zone is a 400 naming the field. */
function cronOf(schedule: Pick<ScheduleEntity, 'cron' | 'timeZone'>): Cron {
  try {
    new Intl.DateTimeFormat('en', { timeZone: schedule.timeZone });
  } catch {
    throw SchedulesErrors.badTimeZone(schedule.timeZone);
  }
  try {
    return new Cron(schedule.cron, { timezone: schedule.timeZone, paused: true });
  } catch (err) {
    throw SchedulesErrors.badCron(err instanceof Error ? err.message.replace(/^CronPattern: /, '') : 'not a cron expression');
  }
}

function dateOf(value: string | null | undefined): Date | null {
  return value === undefined || value === null ? null : new Date(value);
}

function refuseNulls(fields: object): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === null && key !== 'startAt' && key !== 'endAt') throw SchedulesErrors.required(key);
  }
}
