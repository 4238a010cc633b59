import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../common/page-query.js';
import { Empty, rpc } from '../contract.js';
import { MAX_RUN_INPUT_CHARS } from '../execution/runs.contracts.js';

/** What a schedule does about ticks that passed while nothing could fire them (every replica down): none, or one run. */
export const SCHEDULE_MISSED_POLICIES = ['skip', 'catch_up'] as const;
export type ScheduleMissedPolicy = (typeof SCHEDULE_MISSED_POLICIES)[number];

/** The fields of a schedule a user may set; every one optional so PATCH and create share them. */
export class ScheduleFields {
  @ApiPropertyOptional({ example: '0 9 * * 1-5', description: 'Cron: five fields, or six with seconds first (croner syntax)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  cron?: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', default: 'UTC', description: 'IANA time zone the cron is read in' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @ApiPropertyOptional({ enum: SCHEDULE_MISSED_POLICIES, default: 'skip', description: 'Ticks missed while the service was down: skip them, or run once for them' })
  @IsOptional()
  @IsIn(SCHEDULE_MISSED_POLICIES)
  missedPolicy?: ScheduleMissedPolicy;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "A workflow's inputs for each run" })
  @IsOptional()
  @IsObject()
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: MAX_RUN_INPUT_CHARS, description: "An automation agent's message for each run (required for agents)" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_RUN_INPUT_CHARS)
  input?: string;

  @ApiPropertyOptional({ description: 'A paused schedule does not fire; resuming fires from the next tick on' })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, description: 'No tick before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startAt?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, description: 'No tick at or after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  endAt?: string | null;
}

/** Exactly one of workflowId and agentId (an automation agent). */
export class CreateScheduleRequest extends ScheduleFields {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An automation agent' })
  @IsOptional()
  @IsUUID()
  agentId?: string;
}

export class UpdateScheduleBody extends ScheduleFields {}

export class UpdateScheduleRequest extends UpdateScheduleBody {
  @IsUUID()
  id: string;
}

export class ScheduleIdRequest {
  @IsUUID()
  id: string;
}

export class ListSchedulesQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agentId?: string;
}

export class ScheduleView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) workflowId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) agentId: string | null;
  @ApiProperty() cron: string;
  @ApiProperty() timeZone: string;
  @ApiProperty({ enum: SCHEDULE_MISSED_POLICIES }) missedPolicy: ScheduleMissedPolicy;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) inputs: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) input: string | null;
  @ApiProperty() paused: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) startAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) endAt: string | null;
  @ApiProperty({ type: [String], description: 'The next (up to five) fire times; none while paused or after endAt' }) nextFireTimes: string[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastFiredAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The run of the last tick, once started' }) lastRunId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the last tick could not start a run (an error code)' }) lastError: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ScheduleList {
  @ApiProperty({ type: [ScheduleView] }) items: ScheduleView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export const ScheduleContracts = {
  create: rpc('workflow.schedules.create', CreateScheduleRequest, ScheduleView),
  list: rpc('workflow.schedules.list', ListSchedulesQuery, ScheduleList),
  get: rpc('workflow.schedules.get', ScheduleIdRequest, ScheduleView),
  update: rpc('workflow.schedules.update', UpdateScheduleRequest, ScheduleView),
  delete: rpc('workflow.schedules.delete', ScheduleIdRequest, Empty),
} as const;
