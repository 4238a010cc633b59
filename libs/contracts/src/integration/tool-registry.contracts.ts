import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { PageQuery } from '../common/page-query.js';
import { Empty, rpc } from '../contract.js';
import { MaxJsonBytes } from '../identity/account.contracts.js';
import { ToolReference } from '../agent/agents.contracts.js';

export const HTTP_TOOL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpToolMethod = (typeof HTTP_TOOL_METHODS)[number];

export const HTTP_TOOL_AUTH_TYPES = ['none', 'header', 'connection'] as const;
export type HttpToolAuthType = (typeof HTTP_TOOL_AUTH_TYPES)[number];

/** A name a model can call: what OpenAI-compatible providers accept as a function name. */
export const CALLABLE_TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** How an HTTP tool authenticates: not at all, with a header whose value is stored encrypted, or with an OAuth connection's token. */
export class HttpToolAuthInput {
  @ApiProperty({ enum: HTTP_TOOL_AUTH_TYPES })
  @IsIn(HTTP_TOOL_AUTH_TYPES)
  type: HttpToolAuthType;

  @ApiPropertyOptional({ example: 'x-api-key', description: 'type header: the header to send' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'headerName must be an HTTP header name' })
  headerName?: string;

  @ApiPropertyOptional({ description: 'type header: its value; write-only, stored encrypted, never shown again', writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  headerValue?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'type connection: one of your OAuth connections; its access token is sent as a Bearer token' })
  @IsOptional()
  @IsUUID()
  connectionId?: string;
}

/** The fields of an HTTP tool a user defines; every one optional so PATCH and create share them. */
export class HttpToolFields {
  @ApiPropertyOptional({ example: 'get_weather', description: 'What the model calls it: 1-64 letters, digits, "_" or "-"' })
  @IsOptional()
  @IsString()
  @Matches(CALLABLE_TOOL_NAME, { message: 'name must be 1-64 letters, digits, "_" or "-"' })
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ enum: HTTP_TOOL_METHODS })
  @IsOptional()
  @IsIn(HTTP_TOOL_METHODS)
  method?: HttpToolMethod;

  @ApiPropertyOptional({ example: 'https://api.example.com/weather/{city}', description: 'http(s) URL; {name} is replaced by the URL-encoded argument `name`' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  urlTemplate?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'JSON Schema of the arguments object (type object). Arguments not used by the URL go in the query (GET, DELETE) or the JSON body' })
  @IsOptional()
  @IsObject()
  @MaxJsonBytes(32_000)
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ type: HttpToolAuthInput })
  @IsOptional()
  @ValidateNested()
  @Type(() => HttpToolAuthInput)
  auth?: HttpToolAuthInput;

  @ApiPropertyOptional({ description: 'Safe to send again after a crash left a call unfinished (default: true for GET, false otherwise)' })
  @IsOptional()
  @IsBoolean()
  idempotent?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class CreateHttpToolRequest extends HttpToolFields {}

export class UpdateHttpToolRequest extends HttpToolFields {
  @IsUUID()
  id: string;
}

export class HttpToolIdRequest {
  @IsUUID()
  id: string;
}

export class ListHttpToolsQuery extends PageQuery {}

export class HttpToolAuthView {
  @ApiProperty({ enum: HTTP_TOOL_AUTH_TYPES }) type: HttpToolAuthType;
  @ApiProperty({ nullable: true, type: String }) headerName: string | null;
  @ApiProperty({ description: 'Whether a header value is stored (it is never shown)' }) headerValueSet: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) connectionId: string | null;
}

export class HttpToolView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['http'] }) kind: 'http';
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: HTTP_TOOL_METHODS }) method: HttpToolMethod;
  @ApiProperty() urlTemplate: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters: Record<string, unknown>;
  @ApiProperty({ type: HttpToolAuthView }) auth: HttpToolAuthView;
  @ApiProperty() idempotent: boolean;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class BuiltinToolView {
  @ApiProperty({ enum: ['builtin'] }) kind: 'builtin';
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters: Record<string, unknown>;
  @ApiProperty() idempotent: boolean;
}

export class HttpToolList {
  @ApiProperty({ type: [BuiltinToolView], description: 'The built-in tools (on the first page only)' }) builtins: BuiltinToolView[];
  @ApiProperty({ type: [HttpToolView] }) items: HttpToolView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export const AVAILABLE_TOOL_SOURCES = ['builtin', 'registry', 'mcp', 'integration'] as const;
export type AvailableToolSource = (typeof AVAILABLE_TOOL_SOURCES)[number];

/** One tool an agent may be given, with the reference to put in the agent's `tools`. */
export class AvailableTool {
  @ApiProperty({ enum: AVAILABLE_TOOL_SOURCES }) source: AvailableToolSource;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: ToolReference, description: "Put this in the agent's tools" }) ref: ToolReference;
  @ApiProperty({ nullable: true, type: String, description: 'The MCP server or the provider it comes from' }) from: string | null;
  @ApiProperty({ description: 'false when it needs something first (an MCP server not checked yet, a provider not connected)' }) ready: boolean;
}

export class AvailableToolList {
  @ApiProperty({ type: [AvailableTool] }) items: AvailableTool[];
}

export const HttpToolContracts = {
  create: rpc('integration.tools.create', CreateHttpToolRequest, HttpToolView),
  list: rpc('integration.tools.list', ListHttpToolsQuery, HttpToolList),
  get: rpc('integration.tools.get', HttpToolIdRequest, HttpToolView),
  update: rpc('integration.tools.update', UpdateHttpToolRequest, HttpToolView),
  delete: rpc('integration.tools.delete', HttpToolIdRequest, Empty),
  available: rpc('integration.tools.available', Empty, AvailableToolList),
} as const;
