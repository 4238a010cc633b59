import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { PageQuery } from '../common/page-query.js';
import { Empty, rpc } from '../contract.js';

export const MCP_TRANSPORTS = ['streamable_http', 'sse', 'stdio'] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

/** needs_auth: the server needs an OAuth connection you have not made, or the provider revoked it. */
export const MCP_HEALTH_STATUSES = ['unknown', 'healthy', 'unhealthy', 'needs_auth'] as const;
export type McpHealthStatus = (typeof MCP_HEALTH_STATUSES)[number];

export const MCP_SLOT_TARGETS = ['header', 'env'] as const;
export type McpSlotTarget = (typeof MCP_SLOT_TARGETS)[number];

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** A map of at most `maxKeys` names (header or environment variable names) to string values of at most 4000 characters. */
export function IsSecretMap(maxKeys: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSecretMap',
      constraints: [maxKeys],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= maxKeys &&
          Object.entries(value).every(([k, v]) => SECRET_NAME.test(k) && typeof v === 'string' && v.length <= 4000),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must map at most ${maxKeys} names (letters, digits, "_", "-", not starting with a digit) to strings of at most 4000 characters`,
      },
    },
    options,
  );
}

/** A credential an admin's shared server needs from each user: a header or an environment variable the user fills. */
export class McpCredentialSlot {
  @ApiProperty({ example: 'Authorization' })
  @IsString()
  @Matches(SECRET_NAME, { message: 'name must be a header or environment variable name' })
  name: string;

  @ApiProperty({ enum: MCP_SLOT_TARGETS })
  @IsIn(MCP_SLOT_TARGETS)
  target: McpSlotTarget;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class McpServerFields {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  projectId?: string | null;

  @ApiPropertyOptional({ enum: MCP_TRANSPORTS })
  @IsOptional()
  @IsIn(MCP_TRANSPORTS)
  transport?: McpTransport;

  @ApiPropertyOptional({ example: 'https://mcp.example.com/mcp', description: 'streamable_http and sse: the server URL' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ example: 'npx', description: 'stdio: a command on the operator allowlist (INTEGRATION_STDIO_COMMANDS)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  command?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(1000, { each: true })
  args?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, writeOnly: true, description: 'stdio: environment values; write-only, stored encrypted' })
  @IsOptional()
  @IsSecretMap(30)
  env?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, writeOnly: true, description: 'HTTP: headers sent to the server; write-only, stored encrypted' })
  @IsOptional()
  @IsSecretMap(30)
  headers?: Record<string, string>;

  @ApiPropertyOptional({ type: [McpCredentialSlot], maxItems: 10, description: 'Shared servers: credentials each user fills in (PUT /mcp-servers/:id/credentials)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => McpCredentialSlot)
  credentialSlots?: McpCredentialSlot[];

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      "HTTP: one of your OAuth connections (GET /connections); the server gets its access token as a bearer token, refreshed when it expires or the server answers 401. Users of a shared server send their own connection of the same provider. null unbinds it",
  })
  @IsOptional()
  @IsUUID()
  connectionId?: string | null;

  @ApiPropertyOptional({ description: 'Superusers: every user may use the server, each with their own credentials' })
  @IsOptional()
  @IsBoolean()
  isShared?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isEnabled?: boolean;
}

export class CreateMcpServerRequest extends McpServerFields {}

export class UpdateMcpServerRequest extends McpServerFields {
  @IsUUID()
  id: string;
}

export class McpServerIdRequest {
  @IsUUID()
  id: string;
}

export class ListMcpServersQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  projectId?: string;
}

export class McpCredentialsBody {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, writeOnly: true, description: 'A value for each credential slot of the server; write-only' })
  @IsSecretMap(10)
  values: Record<string, string>;
}

export class McpCredentialsRequest extends McpCredentialsBody {
  @IsUUID()
  id: string;
}

export class McpCredentialSlotView {
  @ApiProperty() name: string;
  @ApiProperty({ enum: MCP_SLOT_TARGETS }) target: McpSlotTarget;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ description: 'Whether you filled it (the value is never shown)' }) isSet: boolean;
}

export class McpServerView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) projectId: string | null;
  @ApiProperty({ enum: MCP_TRANSPORTS }) transport: McpTransport;
  @ApiProperty({ nullable: true, type: String }) url: string | null;
  @ApiProperty({ nullable: true, type: String }) command: string | null;
  @ApiProperty({ type: [String] }) args: string[];
  @ApiProperty({ type: [String], description: 'Names of the environment values that are set (values are never shown)' }) envSet: string[];
  @ApiProperty({ type: [String], description: 'Names of the headers that are set (values are never shown)' }) headersSet: string[];
  @ApiProperty({ type: [McpCredentialSlotView] }) credentialSlots: McpCredentialSlotView[];
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The OAuth connection the server uses (shown to its owner only)' }) connectionId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The OAuth provider the server needs a connection of (POST /integrations/:provider/authorize)' }) oauthProvider: string | null;
  @ApiProperty() isShared: boolean;
  @ApiProperty({ description: 'false for a shared server of an admin' }) isOwner: boolean;
  @ApiProperty() isEnabled: boolean;
  @ApiProperty({ enum: MCP_HEALTH_STATUSES, description: 'needs_auth: you have no usable connection of oauthProvider (lastError says what to do)' }) healthStatus: McpHealthStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastCheckedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty() toolCount: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class McpServerList {
  @ApiProperty({ type: [McpServerView] }) items: McpServerView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class McpToolView {
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters: Record<string, unknown>;
  @ApiProperty({ description: "The server declares it idempotent (annotations.idempotentHint or readOnlyHint): a crash may repeat it" }) idempotent: boolean;
}

export class McpToolList {
  @ApiProperty({ type: [McpToolView] }) items: McpToolView[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the list was last read from the server' }) discoveredAt: string | null;
}

export class McpStatusView {
  @ApiProperty({ enum: MCP_HEALTH_STATUSES }) status: McpHealthStatus;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ nullable: true, type: Number }) latencyMs: number | null;
  @ApiProperty({ nullable: true, type: Number }) toolCount: number | null;
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
}

export class McpCheckReply {
  @ApiProperty({ type: McpServerView }) server: McpServerView;
  @ApiProperty({ type: [McpStatusView], description: 'The latest checks, newest first' }) history: McpStatusView[];
}

export const McpServerContracts = {
  create: rpc('integration.mcp-servers.create', CreateMcpServerRequest, McpServerView),
  list: rpc('integration.mcp-servers.list', ListMcpServersQuery, McpServerList),
  get: rpc('integration.mcp-servers.get', McpServerIdRequest, McpServerView),
  update: rpc('integration.mcp-servers.update', UpdateMcpServerRequest, McpServerView),
  delete: rpc('integration.mcp-servers.delete', McpServerIdRequest, Empty),
  check: rpc('integration.mcp-servers.check', McpServerIdRequest, McpCheckReply),
  tools: rpc('integration.mcp-servers.tools', McpServerIdRequest, McpToolList),
  setCredentials: rpc('integration.mcp-servers.set-credentials', McpCredentialsRequest, McpServerView),
} as const;
