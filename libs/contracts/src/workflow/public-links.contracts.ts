import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import { MAX_INT32 } from '../common/int32.js';
import { Empty, rpc } from '../contract.js';
import { WorkflowField } from './definition.js';
import { WorkflowIdRequest, WorkflowView } from './workflows.contracts.js';

/** A public link's token: 32 random bytes, base64url. */
export const PUBLIC_LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What publishing with a public link sets on the link. */
export class PublicLinkOptions {
  @ApiPropertyOptional({ format: 'date-time', description: 'When the link stops working; it never expires when omitted' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000, description: 'Runs the link allows per minute, from every caller together (WORKFLOW_PUBLIC_LINK_RUNS_PER_MINUTE by default)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  runsPerMinute?: number;
}

export class PublishWorkflowBody {
  @ApiPropertyOptional({ description: 'The version to publish; the current one when omitted', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  version?: number;

  @ApiPropertyOptional({ type: PublicLinkOptions, description: 'Also make a public link that runs this version with no account' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PublicLinkOptions)
  publicLink?: PublicLinkOptions;
}

export class PublishWorkflowRequest extends PublishWorkflowBody {
  @IsUUID()
  id: string;
}

export class PublicLinkView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) workflowId: string;
  @ApiProperty({ description: 'The published version the link runs' }) version: number;
  @ApiProperty({ description: 'The first characters of the token, to tell links apart' }) tokenPrefix: string;
  @ApiProperty() runsPerMinute: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/** A new link: the token is shown this once (only its hash is kept). */
export class PublicLinkCreated extends PublicLinkView {
  @ApiProperty({ description: 'The unguessable token; shown only now' }) token: string;
  @ApiProperty({ example: '/api/v1/public/workflows/<token>', description: 'Where the form is; POST <path>/runs runs it' }) path: string;
}

export class PublishedWorkflowView extends WorkflowView {
  @ApiProperty({ nullable: true, type: PublicLinkCreated, description: 'The public link, when one was asked for' })
  publicLink: PublicLinkCreated | null;
}

export class PublicLinkList {
  @ApiProperty({ type: [PublicLinkView] }) items: PublicLinkView[];
}

export class PublicLinkIdRequest {
  @IsUUID()
  id: string;

  @IsUUID()
  linkId: string;
}

export class PublicTokenRequest {
  @IsString()
  @Matches(PUBLIC_LINK_TOKEN, { message: 'token must be a public link token' })
  token: string;
}

/** What a caller with the link sees: the form of the published version, nothing of its insides. */
export class PublicWorkflowForm {
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: [WorkflowField], description: 'What a run asks for' }) inputs: WorkflowField[];
  @ApiProperty({ type: [WorkflowField], description: 'What a run answers' }) outputs: WorkflowField[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt: string | null;
}

export class StartPublicRunBody {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The declared inputs' })
  @IsOptional()
  @IsObject()
  inputs?: Record<string, unknown>;
}

export class StartPublicRunRequest extends StartPublicRunBody {
  @IsString()
  @Matches(PUBLIC_LINK_TOKEN, { message: 'token must be a public link token' })
  token: string;
}

export class PublicRunRequest {
  @IsString()
  @Matches(PUBLIC_LINK_TOKEN, { message: 'token must be a public link token' })
  token: string;

  @IsUUID()
  runId: string;
}

/** A run through a public link, as its caller sees it: the output node's fields and no more. */
export class PublicRunView {
  @ApiProperty({ format: 'uuid' }) runId: string;
  @ApiProperty({ example: 'completed', description: 'queued, running, requires_action, completed, failed, cancelled, expired' }) status: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'The declared outputs, once the run completed' }) outputs: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String, example: 'the run failed', description: 'Why it did not complete, in general words' }) error: string | null;
}

export const PublicLinkContracts = {
  publish: rpc('workflow.workflows.publish', PublishWorkflowRequest, PublishedWorkflowView),
  list: rpc('workflow.public-links.list', WorkflowIdRequest, PublicLinkList),
  revoke: rpc('workflow.public-links.revoke', PublicLinkIdRequest, Empty),
  form: rpc('workflow.public.form', PublicTokenRequest, PublicWorkflowForm),
  startRun: rpc('workflow.public.start-run', StartPublicRunRequest, PublicRunView),
  getRun: rpc('workflow.public.get-run', PublicRunRequest, PublicRunView),
} as const;
