import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsBoolean, IsInt, IsNotEmpty, IsNotEmptyObject, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_INT32 } from '../common/int32.js';
import { PageQuery } from '../common/page-query.js';
import { Empty, rpc } from '../contract.js';
import { WorkflowDefinition, WorkflowEdge } from './definition.js';

/** The fields a user may set on a workflow; every one optional so PATCH and create share them. */
export class WorkflowFields {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'The project (folder) holding the workflow' })
  @IsOptional()
  @IsUUID()
  projectId?: string | null;

  @ApiPropertyOptional({ description: 'An inactive workflow keeps its versions but does not run' })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ type: WorkflowDefinition, description: 'The graph; a change makes a new version' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkflowDefinition)
  definition?: WorkflowDefinition;
}

/** name and definition are required (the service says which is missing). */
export class CreateWorkflowRequest extends WorkflowFields {}

export class UpdateWorkflowBody extends WorkflowFields {}

export class UpdateWorkflowRequest extends UpdateWorkflowBody {
  @IsUUID()
  id: string;
}

export class WorkflowIdRequest {
  @IsUUID()
  id: string;
}

export class ListWorkflowsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;

  @ApiPropertyOptional({ description: 'Text the name contains (case-insensitive)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class ValidateWorkflowRequest {
  @ApiProperty({ type: WorkflowDefinition })
  @ValidateNested()
  @Type(() => WorkflowDefinition)
  definition: WorkflowDefinition;
}

/** A definition that passed every check, as it would be saved (agent versions pinned). */
export class WorkflowValidationReply {
  @ApiProperty({ example: true }) valid: true;
  @ApiProperty({ type: WorkflowDefinition }) definition: WorkflowDefinition;
  @ApiProperty({ type: [String], description: 'The agents the workflow runs' }) agentIds: string[];
}

export class WorkflowView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) projectId: string | null;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ description: 'The version a new run pins' }) currentVersion: number;
  @ApiProperty({ nullable: true, type: Number }) publishedVersion: number | null;
  @ApiProperty({ type: [String], description: 'The agents the current version runs' }) agentIds: string[];
  @ApiProperty({ type: WorkflowDefinition, description: 'The current version' }) definition: WorkflowDefinition;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

/** A list entry: the workflow without its definition. */
export class WorkflowSummary {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) projectId: string | null;
  @ApiProperty() isActive: boolean;
  @ApiProperty() currentVersion: number;
  @ApiProperty({ nullable: true, type: Number }) publishedVersion: number | null;
  @ApiProperty({ type: [String] }) agentIds: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class WorkflowList {
  @ApiProperty({ type: [WorkflowSummary] }) items: WorkflowSummary[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class WorkflowVersionView {
  @ApiProperty({ format: 'uuid' }) workflowId: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: WorkflowDefinition }) definition: WorkflowDefinition;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) createdBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class WorkflowVersionSummary {
  @ApiProperty() version: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) createdBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class WorkflowVersionList {
  @ApiProperty({ type: [WorkflowVersionSummary] }) items: WorkflowVersionSummary[];
}

export class WorkflowVersionRequest {
  @IsUUID()
  id: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version: number;
}

/** `GET /workflows/:id/diff?from=&to=` */
export class WorkflowDiffQuery {
  @ApiProperty({ minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  from: number;

  @ApiProperty({ minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  to: number;
}

export class WorkflowDiffRequest extends WorkflowDiffQuery {
  @IsUUID()
  id: string;
}

export class ChangedNode {
  @ApiProperty() id: string;
  @ApiProperty({ type: [String], example: ['config.promptTemplate'], description: 'What differs: type, name, or config.<field>' }) fields: string[];
}

export class ChangedEdge {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiPropertyOptional() branch?: string;
  @ApiProperty({ type: [String], example: ['maxIterations'] }) fields: string[];
}

export class NodeChanges {
  @ApiProperty({ type: [String] }) added: string[];
  @ApiProperty({ type: [String] }) removed: string[];
  @ApiProperty({ type: [ChangedNode] }) changed: ChangedNode[];
}

/** Edges are known by (from, to, branch). */
export class EdgeChanges {
  @ApiProperty({ type: [WorkflowEdge] }) added: WorkflowEdge[];
  @ApiProperty({ type: [WorkflowEdge] }) removed: WorkflowEdge[];
  @ApiProperty({ type: [ChangedEdge] }) changed: ChangedEdge[];
}

/** Declared inputs, outputs or state variables, known by name. */
export class NameChanges {
  @ApiProperty({ type: [String] }) added: string[];
  @ApiProperty({ type: [String] }) removed: string[];
  @ApiProperty({ type: [String] }) changed: string[];
}

export class WorkflowDiff {
  @ApiProperty() from: number;
  @ApiProperty() to: number;
  @ApiProperty({ type: NodeChanges }) nodes: NodeChanges;
  @ApiProperty({ type: EdgeChanges }) edges: EdgeChanges;
  @ApiProperty({ type: NameChanges }) inputs: NameChanges;
  @ApiProperty({ type: NameChanges }) outputs: NameChanges;
  @ApiProperty({ type: NameChanges }) state: NameChanges;
}

export const WORKFLOW_EXPORT_KIND = 'agent-platform/workflow-definition';

/** A portable workflow: no ids, no owner, no project. */
export class WorkflowExportBody {
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: WorkflowDefinition }) definition: WorkflowDefinition;
}

export class WorkflowExport {
  @ApiProperty({ example: WORKFLOW_EXPORT_KIND }) kind: typeof WORKFLOW_EXPORT_KIND;
  @ApiProperty({ example: 1 }) formatVersion: 1;
  @ApiProperty({ description: 'The version this definition was exported from' }) sourceVersion: number;
  @ApiProperty({ format: 'date-time' }) exportedAt: string;
  @ApiProperty({ type: WorkflowExportBody }) workflow: WorkflowExportBody;
}

/** `GET /workflows/:id/export?version=` */
export class ExportWorkflowQuery {
  @ApiPropertyOptional({ minimum: 1, description: 'The version to export; the current one when omitted' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;
}

export class ExportWorkflowRequest extends ExportWorkflowQuery {
  @IsUUID()
  id: string;
}

export class ImportWorkflowRequest {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'An exported workflow (GET /workflows/:id/export)' })
  @IsObject()
  @IsNotEmptyObject()
  @Allow()
  definition: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;
}

export const WorkflowContracts = {
  create: rpc('workflow.workflows.create', CreateWorkflowRequest, WorkflowView),
  list: rpc('workflow.workflows.list', ListWorkflowsQuery, WorkflowList),
  get: rpc('workflow.workflows.get', WorkflowIdRequest, WorkflowView),
  update: rpc('workflow.workflows.update', UpdateWorkflowRequest, WorkflowView),
  delete: rpc('workflow.workflows.delete', WorkflowIdRequest, Empty),
  validate: rpc('workflow.workflows.validate', ValidateWorkflowRequest, WorkflowValidationReply),
  listVersions: rpc('workflow.versions.list', WorkflowIdRequest, WorkflowVersionList),
  getVersion: rpc('workflow.versions.get', WorkflowVersionRequest, WorkflowVersionView),
  restoreVersion: rpc('workflow.versions.restore', WorkflowVersionRequest, WorkflowView),
  diff: rpc('workflow.versions.diff', WorkflowDiffRequest, WorkflowDiff),
  export: rpc('workflow.workflows.export', ExportWorkflowRequest, WorkflowExport),
  import: rpc('workflow.workflows.import', ImportWorkflowRequest, WorkflowView),
} as const;
