// Contracts of the access features: credentials, API keys, admin, audit, external identities.
import { PageQuery } from '../common/page-query.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Empty, rpc } from '../contract.js';
import { ProfileView } from './account.contracts.js';
import { SessionReply } from './auth.contracts.js';

// ---- credentials (gateway -> identity on every authenticated request) ----

/** Exactly one of: an API key, or the claims of an already signature-checked access token. */
export class VerifyCredentialRequest {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  apiKey?: string;

  @IsOptional()
  @IsUUID()
  userId?: string;

  @IsOptional()
  @IsUUID()
  sessionId?: string;
}

export class VerifiedCredential {
  userId: string;
  isSuperuser: boolean;
  scopes: string[];
  /** Set for access tokens: the refresh-token family the token belongs to. */
  sessionId?: string;
  /** Set for API keys. */
  apiKeyId?: string;
  /** When the credential stops being good by itself (an API key's expiry, ISO 8601); absent when never. */
  expiresAt?: string;
  /**
   * Requests of the user's per-minute budget this check counted, this one included: the gateway
   * replica spends the rest on the user's next requests without asking again, until the budget's
   * window ends in `resetsInMs`.
   */
  budget?: RequestBudgetLease;
  /** The user as GET /me shows it, as of this check: the gateway answers /me from it. */
  profile?: ProfileView;
}

export interface RequestBudgetLease {
  granted: number;
  resetsInMs: number;
}

/**
 * Broadcasts (every gateway replica hears them; hints, not events) that identity sends once a
 * change committed, before it answers the request that made it: the gateway forgets what it
 * cached about the user, so the change holds from the next request on every replica.
 * CREDENTIALS_CHANGED: a session ended, a key revoked, a password changed, the account
 * deactivated, deleted or its superuser flag changed, its profile (name, username, email) changed. REQUEST_BUDGET_SPENT: the user's per-minute
 * budget ran out; replicas drop what they still held of it.
 */
export const CREDENTIALS_CHANGED = 'identity.credentials.changed';
export const REQUEST_BUDGET_SPENT = 'identity.request-budget.spent';

export interface CredentialsHint {
  userId: string;
}

// ---- API keys ----

export const API_KEY_SCOPES = ['read', 'full'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export class CreateApiKeyRequest {
  @ApiProperty({ example: 'CI pipeline', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['read'], description: '"read" allows GET only; "full" allows everything the user may do' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes: ApiKeyScope[];

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, description: 'Days until the key stops working; omit for a key that does not expire' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'ap_live_Ab3x', description: 'The start of the key, to recognise it; the key itself is never shown again' }) prefix: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: ApiKeyScope[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Updated at most once a minute' }) lastUsedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedApiKey extends ApiKeyView {
  @ApiProperty({ description: 'Shown once: send it as "Authorization: Bearer <key>"', example: 'ap_live_…' }) key: string;
}

export class ApiKeyList {
  @ApiProperty({ type: ApiKeyView, isArray: true }) items: ApiKeyView[];
}

export class IdRequest {
  @IsUUID()
  id: string;
}

// ---- admin ----

export class ListUsersRequest extends PageQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the email or name', maxLength: 254 })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  declare limit?: number;

  @IsUUID()
  declare cursor?: string;
}

export class AdminUserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty() isActive: boolean;
  @ApiProperty() isSuperuser: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The OIDC provider the account signs in with, if any' }) externalProvider: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AdminUserPage {
  @ApiProperty({ type: AdminUserView, isArray: true }) items: AdminUserView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class AdminUpdateUserRequest {
  @ApiPropertyOptional({ description: 'false deactivates: the user\'s tokens and keys stop working at once' })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isSuperuser?: boolean;
}

export class AdminUpdateUserCommand extends AdminUpdateUserRequest {
  @IsUUID()
  id: string;
}

export const SYSTEM_SETTING_KEY = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class SystemSettingKeyRequest {
  @Matches(SYSTEM_SETTING_KEY, { message: 'key must be 1-64 lower-case letters, digits, ".", "_" or "-"' })
  key: string;
}

export class PutSystemSettingRequest {
  @ApiProperty({ description: 'Any JSON value', example: { enabled: true } })
  @IsDefined()
  value: unknown;
}

export class PutSystemSettingCommand extends PutSystemSettingRequest {
  @Matches(SYSTEM_SETTING_KEY, { message: 'key must be 1-64 lower-case letters, digits, ".", "_" or "-"' })
  key: string;
}

export class SystemSettingView {
  @ApiProperty() key: string;
  @ApiProperty({ description: 'Any JSON value' }) value: unknown;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) updatedBy: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

// ---- audit log ----

export class ListAuditLogRequest extends PageQuery {
  @ApiPropertyOptional({ example: 'api_key.created' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ example: 'user' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  targetId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  declare limit?: number;

  @IsUUID()
  declare cursor?: string;
}

export class AuditEntryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ example: 'admin.user.updated' }) action: string;
  @ApiProperty({ nullable: true, type: String }) targetType: string | null;
  @ApiProperty({ nullable: true, type: String }) targetId: string | null;
  @ApiProperty({ nullable: true, type: String }) ip: string | null;
  @ApiProperty({ nullable: true, type: String }) userAgent: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AuditPage {
  @ApiProperty({ type: AuditEntryView, isArray: true }) items: AuditEntryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

// ---- external identities (OIDC) ----

export class OidcLoginReply {
  @ApiProperty({ description: 'Where to send the browser' }) authorizationUrl: string;
}

/** The query string the provider sends back; the optional members are what real providers add. */
export class OidcCallbackRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  code?: string;

  @ApiProperty()
  @IsString()
  @MaxLength(256)
  state: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) iss?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) scope?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) session_state?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) error?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) error_description?: string;
}

export const AccessContracts = {
  verifyCredential: rpc('identity.credentials.verify', VerifyCredentialRequest, VerifiedCredential),
  createApiKey: rpc('identity.api-keys.create', CreateApiKeyRequest, CreatedApiKey),
  listApiKeys: rpc('identity.api-keys.list', Empty, ApiKeyList),
  revokeApiKey: rpc('identity.api-keys.revoke', IdRequest, Empty),
  listUsers: rpc('identity.admin.users.list', ListUsersRequest, AdminUserPage),
  updateUser: rpc('identity.admin.users.update', AdminUpdateUserCommand, AdminUserView),
  getSystemSetting: rpc('identity.admin.system-settings.get', SystemSettingKeyRequest, SystemSettingView),
  putSystemSetting: rpc('identity.admin.system-settings.put', PutSystemSettingCommand, SystemSettingView),
  listAuditLog: rpc('identity.admin.audit-log.list', ListAuditLogRequest, AuditPage),
  oidcLogin: rpc('identity.oidc.login', Empty, OidcLoginReply),
  oidcCallback: rpc('identity.oidc.callback', OidcCallbackRequest, SessionReply),
} as const;
