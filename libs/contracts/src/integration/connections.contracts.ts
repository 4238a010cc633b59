import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ToolReference } from '../agent/agents.contracts.js';
import { PageQuery } from '../common/page-query.js';
import { Empty, rpc } from '../contract.js';

export const CONNECTION_STATUSES = ['connected', 'needs_reauth', 'revoked'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

const PROVIDER = /^[a-z][a-z0-9-]{0,39}$/;

export class ProviderView {
  @ApiProperty({ example: 'google' }) name: string;
  @ApiProperty({ example: 'Google' }) title: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ description: 'Whether the provider has an API the `<name>_api` tool can call' }) hasApiTool: boolean;
}

export class ProviderList {
  @ApiProperty({ type: [ProviderView] }) items: ProviderView[];
}

export class AuthorizeBody {
  @ApiPropertyOptional({ format: 'uuid', description: 'Connect an account for this agent only (seed 000: an account per agent); otherwise for all your agents' })
  @IsOptional()
  @IsUUID()
  agentId?: string;
}

/** The provider named in a route (`/integrations/:provider/...`). */
export class ProviderParams {
  @IsString()
  @Matches(PROVIDER, { message: 'provider must be a lower-case provider name' })
  provider: string;
}

export class AuthorizeRequest extends AuthorizeBody {
  @IsString()
  @Matches(PROVIDER, { message: 'provider must be a lower-case provider name' })
  provider: string;
}

export class AuthorizeReply {
  @ApiProperty({ description: "Open it in the user's browser; the provider sends it back to /integrations/oauth/callback" }) authorizationUrl: string;
  @ApiProperty({ format: 'date-time', description: 'The link stops working then' }) expiresAt: string;
}

/** What the provider sends back to the callback: the state authenticates it (no bearer token). */
export class OAuthCallbackRequest {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  state: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  code?: string;

  @ApiPropertyOptional({ description: 'The provider refused (e.g. access_denied)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  error?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  error_description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  scope?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  iss?: string;
}

export class ConnectionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() provider: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'null: for all your agents' }) agentId: string | null;
  @ApiProperty({ nullable: true, type: String }) accountEmail: string | null;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ enum: CONNECTION_STATUSES, description: 'needs_reauth: the provider revoked the grant; authorize again' }) status: ConnectionStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the current access token expires (it is refreshed before)' }) expiresAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastRefreshedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ConnectionList {
  @ApiProperty({ type: [ConnectionView] }) items: ConnectionView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ListConnectionsQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(PROVIDER, { message: 'provider must be a lower-case provider name' })
  provider?: string;
}

export class ConnectionIdRequest {
  @IsUUID()
  id: string;
}

/** For the agent service: the consent links an agent's integration tools still need (seed 000's authUrls). */
export class AuthUrlsRequest {
  @IsUUID()
  ownerId: string;

  @IsUUID()
  agentId: string;

  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ToolReference)
  refs: ToolReference[];
}

export class AuthUrlsReply {
  /** Provider -> authorization URL, for each provider the agent's tools need and the owner has not connected. */
  authUrls: Record<string, string>;
}

export const ConnectionContracts = {
  providers: rpc('integration.providers.list', Empty, ProviderList),
  authorize: rpc('integration.oauth.authorize', AuthorizeRequest, AuthorizeReply),
  callback: rpc('integration.oauth.callback', OAuthCallbackRequest, ConnectionView),
  list: rpc('integration.connections.list', ListConnectionsQuery, ConnectionList),
  delete: rpc('integration.connections.delete', ConnectionIdRequest, Empty),
  authUrls: rpc('integration.oauth.auth-urls', AuthUrlsRequest, AuthUrlsReply),
} as const;
