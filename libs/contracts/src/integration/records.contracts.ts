import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DayRangeQuery } from '../common/day-range.js';
import { PageQuery } from '../common/page-query.js';
import { rpc } from '../contract.js';

export const TOOL_USAGE_GROUPS = ['day', 'tool', 'server', 'agent'] as const;
export type ToolUsageGroup = (typeof TOOL_USAGE_GROUPS)[number];

export class ToolUsageQuery extends DayRangeQuery {
  @ApiPropertyOptional({ enum: TOOL_USAGE_GROUPS, default: 'day' })
  @IsOptional()
  @IsIn(TOOL_USAGE_GROUPS)
  groupBy?: ToolUsageGroup;
}

export class ToolUsageRow {
  @ApiProperty({ description: 'The day (YYYY-MM-DD), tool name, MCP server or registry tool id, or agent id, per groupBy ("none" when a call had no agent)' }) key: string;
  @ApiProperty() calls: number;
  @ApiProperty() failures: number;
  @ApiProperty({ description: 'Sum of the calls\' durations' }) durationMs: number;
  @ApiProperty({ description: 'Bytes of the arguments sent' }) inputBytes: number;
  @ApiProperty({ description: 'Bytes of the results received' }) outputBytes: number;
}

export class ToolUsageReport {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ enum: TOOL_USAGE_GROUPS }) groupBy: ToolUsageGroup;
  @ApiProperty({ type: [ToolUsageRow] }) items: ToolUsageRow[];
  @ApiProperty({ type: ToolUsageRow, description: 'Totals over the whole range (key "total")' }) total: ToolUsageRow;
}

export const INTEGRATION_EVENT_TYPES = ['connected', 'refreshed', 'refresh_failed', 'revoked', 'disconnected', 'health_changed', 'webhook_received'] as const;
export type IntegrationEventType = (typeof INTEGRATION_EVENT_TYPES)[number];

export class ListIntegrationEventsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: INTEGRATION_EVENT_TYPES })
  @IsOptional()
  @IsIn(INTEGRATION_EVENT_TYPES)
  type?: IntegrationEventType;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events of one connection' })
  @IsOptional()
  @IsUUID()
  connectionId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events of one MCP server' })
  @IsOptional()
  @IsUUID()
  mcpServerId?: string;
}

export class IntegrationEventView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: INTEGRATION_EVENT_TYPES }) type: IntegrationEventType;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) connectionId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) mcpServerId: string | null;
  @ApiProperty({ nullable: true, type: String }) provider: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
}

export class IntegrationEventList {
  @ApiProperty({ type: [IntegrationEventView] }) items: IntegrationEventView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export const ToolUsageContracts = {
  report: rpc('integration.usage.report', ToolUsageQuery, ToolUsageReport),
} as const;

export const IntegrationEventContracts = {
  list: rpc('integration.events.list', ListIntegrationEventsQuery, IntegrationEventList),
} as const;
